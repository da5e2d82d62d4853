package domain

import "time"

// Times in JSON, as time.Time's MarshalJSON writes them and its
// UnmarshalJSON reads them (RFC 3339 with nanoseconds), by hand for UTC
// times from 1970 to 9999: every report carries two of them and each peer
// one more, and the general functions were a third of the cost of a
// report event.

// maxHandTime is 10000-01-01T00:00:00Z in Unix seconds.
const maxHandTime = 253402300800

// AppendTimeJSON appends t quoted as time.Time's MarshalJSON writes it;
// for a year MarshalJSON refuses (before 0, after 9999) it writes what
// AppendFormat writes.
func AppendTimeJSON(b []byte, t time.Time) []byte {
	b, _ = appendTimeJSON(b, t)
	return b
}

// appendTimeJSON is AppendTimeJSON; ok is false for a time MarshalJSON
// refuses.
func appendTimeJSON(b []byte, t time.Time) (_ []byte, ok bool) {
	sec := t.Unix()
	if t.Location() != time.UTC || sec < 0 || sec >= maxHandTime {
		y := t.Year()
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"'), y >= 0 && y <= 9999
	}
	y, mo, d := civilDate(sec / 86400)
	sod := int(sec % 86400)
	b = append(b, '"')
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, mo, 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, sod/3600, 2)
	b = append(b, ':')
	b = appendDigits(b, sod/60%60, 2)
	b = append(b, ':')
	b = appendDigits(b, sod%60, 2)
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = appendDigits(b, ns, digits)
	}
	return append(b, 'Z', '"'), true
}

// appendDigits writes 0 <= v < 10^width in width digits, two at a time.
func appendDigits(b []byte, v, width int) []byte {
	var buf [10]byte
	i := width
	for i >= 2 {
		i -= 2
		p := v % 100 * 2
		buf[i], buf[i+1] = pairs[p], pairs[p+1]
		v /= 100
	}
	if i == 1 {
		buf[0] = byte('0' + v)
	}
	return append(b, buf[:width]...)
}

// pairs holds "00" to "99".
const pairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// parseTimeJSON reads the inside of a quoted time as UnmarshalJSON does,
// for the shape RFC3339Nano writes (rfc3339Shape); ok is false for any
// other input.
func parseTimeJSON(s []byte) (_ time.Time, ok bool) {
	if !rfc3339Shape(s) {
		return time.Time{}, false
	}
	if s[len(s)-1] != 'Z' {
		var t time.Time
		return t, t.UnmarshalText(s) == nil
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range s[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := num(0, 4), num(5, 2), num(8, 2)
	h, mi, sec := num(11, 2), num(14, 2), num(17, 2)
	if y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || sec > 59 {
		var t time.Time
		return t, t.UnmarshalText(s) == nil
	}
	ns := 0
	if frac := s[19 : len(s)-1]; len(frac) > 0 { // ".ddd"
		ns = num(20, len(frac)-1)
		for range 10 - len(frac) {
			ns *= 10
		}
	}
	unix := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec)
	return time.Unix(unix, int64(ns)).UTC(), true
}

// daysIn is the number of days of month in year (proleptic Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// civilDate returns the date of a day counted from 1970-01-01 (>= 0), in
// the proleptic Gregorian calendar: eras of 400 years, years starting on
// March 1 so that the leap day comes last.
func civilDate(days int64) (year, month, day int) {
	z := days + 719468 // days from 0000-03-01
	era := z / 146097
	doe := z - era*146097                                  // day of era
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1
	mp := (5*doy + 2) / 153                                // month from March, 0..11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

// daysFromCivil is civilDate's inverse, for years from 1970 on.
func daysFromCivil(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := int64(month+9) % 12 // month from March
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// rfc3339Shape reports whether s is YYYY-MM-DDTHH:MM:SS, then optionally
// a '.' and 1 to 9 digits, then Z or ±HH:MM.
func rfc3339Shape(s []byte) bool {
	if len(s) < 20 {
		return false
	}
	for i, c := range s[:19] {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	s = s[19:]
	if s[0] == '.' {
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return false
		}
		s = s[n:]
	}
	switch {
	case len(s) == 1 && s[0] == 'Z':
		return true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		for _, i := range []int{1, 2, 4, 5} {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}
