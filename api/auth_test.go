package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sentrazone/sentrazone/domain"
)

func TestAuthRejectsBadTokens(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	claims := func(role string, iat, exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"sub": "u1", "email": "a@example.com", "role": role, "iat": iat.Unix(), "exp": exp.Unix(), "jti": "j"}
	}
	valid := claims("admin", now, now.Add(time.Hour))
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	none := signWith(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)
	cases := map[string]string{
		"expired":      signWith(jwt.SigningMethodHS256, testSecret, claims("admin", now.Add(-25*time.Hour), now.Add(-time.Hour))),
		"no expiry":    signWith(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "u1", "role": "admin"}),
		"issued later": signWith(jwt.SigningMethodHS256, testSecret, claims("admin", now.Add(time.Hour), now.Add(2*time.Hour))),
		"wrong secret": signWith(jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), valid),
		"alg none":     none,
		"HS512":        signWith(jwt.SigningMethodHS512, testSecret, valid),
		"ES256":        signWith(jwt.SigningMethodES256, ecKey, valid),
		"unknown role": signWith(jwt.SigningMethodHS256, testSecret, claims("root", now, now.Add(time.Hour))),
		"no subject":   signWith(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"role": "admin", "exp": now.Add(time.Hour).Unix()}),
		"garbage":      "not.a.jwt",
		"tampered":     signWith(jwt.SigningMethodHS256, testSecret, claims("user", now, now.Add(time.Hour))) + "x",
		"empty":        "",
		"wrong scheme": "-",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			hdr := "Bearer " + tok
			if name == "wrong scheme" {
				hdr = "Basic " + e.token(domain.RoleAdmin)
			}
			r := e.do(t, "GET", "/api/servers", "", "Authorization", hdr).want(t, 401, CodeUnauthorized)
			if r.header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	e.do(t, "GET", "/api/servers", "").want(t, 401, CodeUnauthorized)
}

func TestAuthExpiresWithTheClock(t *testing.T) {
	e := newEnv(t)
	tok := e.token(domain.RoleUser)
	e.do(t, "GET", "/api/statuses", "", "Authorization", "Bearer "+tok).want(t, 200)
	e.clock.Advance(24*time.Hour + time.Second)
	e.do(t, "GET", "/api/statuses", "", "Authorization", "Bearer "+tok).want(t, 401, CodeUnauthorized)
}

func TestAuthRoles(t *testing.T) {
	e := newEnv(t)
	userRoutes := [][2]string{{"GET", "/api/statuses"}, {"GET", "/api/history"}}
	adminRoutes := [][2]string{
		{"GET", "/api/servers"}, {"GET", "/api/users"}, {"GET", "/api/audit"}, {"GET", "/api/audit/export"},
		{"GET", "/api/wg-clients/la"}, {"POST", "/api/wg-clients/la"}, {"POST", "/api/wg-clients/la/c1/enable"},
		{"DELETE", "/api/wg-clients/la/c1"}, {"GET", "/api/wg-clients/la/c1/qrcode"},
		{"GET", "/api/wg-clients/la/c1/config"}, {"POST", "/api/servers"}, {"POST", "/api/users"},
	}
	for _, r := range userRoutes {
		e.as(t, domain.RoleUser, r[0], r[1], "").want(t, 200)
		e.as(t, domain.RoleAdmin, r[0], r[1], "").want(t, 200)
		e.do(t, r[0], r[1], "").want(t, 401, CodeUnauthorized)
	}
	for _, r := range adminRoutes {
		e.as(t, domain.RoleUser, r[0], r[1], "").want(t, 403, CodeForbidden)
		e.do(t, r[0], r[1], "").want(t, 401, CodeUnauthorized)
	}
}

func TestIssuedTokenClaims(t *testing.T) {
	e := newEnv(t)
	e.cmd.login = func(_, email, _ string) (*domain.User, error) {
		return &domain.User{UserID: "u-42", Email: email, Role: domain.RoleAdmin}, nil
	}
	var out struct{ Token string }
	e.do(t, "POST", "/api/login", `{"email":"root@example.com","password":"pw-123456"}`).want(t, 200).decode(t, &out)
	var cl jwt.MapClaims
	tok, err := jwt.ParseWithClaims(out.Token, &cl, func(*jwt.Token) (any, error) { return testSecret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(e.clock.Now))
	if err != nil || !tok.Valid {
		t.Fatalf("issued token does not verify: %v", err)
	}
	for _, k := range []string{"sub", "email", "role", "iat", "exp", "jti"} {
		if _, ok := cl[k]; !ok {
			t.Errorf("claim %s missing: %v", k, cl)
		}
	}
	if len(cl) != 6 {
		t.Errorf("claims %v, want exactly sub, email, role, iat, exp, jti", cl)
	}
	if cl["sub"] != "u-42" || cl["email"] != "root@example.com" || cl["role"] != "admin" {
		t.Errorf("claims %v", cl)
	}
	exp, _ := cl.GetExpirationTime()
	if !exp.Time.Equal(e.clock.Now().Add(24 * time.Hour)) {
		t.Errorf("exp %v, want now+24h", exp)
	}
	e.do(t, "GET", "/api/servers", "", "Authorization", "Bearer "+out.Token).want(t, 200)
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New accepted an empty config")
	}
	_, err := New(Config{Commands: &fakeCommands{}, Reports: &fakeReports{}, State: &fakeState{},
		History: &fakeHistory{}, Health: &fakeHealth{}, JWTSecret: []byte("short")})
	if err == nil {
		t.Fatal("New accepted a 5-byte JWT secret")
	}
}
