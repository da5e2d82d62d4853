package domain

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// addrPool tracks which client addresses of an IPv4 subnet are taken.
//
// Offsets are counted from the network address: offset 0 is the network,
// offset 1 the server itself, offset size-1 the broadcast address; clients
// get offsets 2..size-2. A bitmap records taken offsets and lowest always
// holds the lowest free offset, so finding the next address is O(1); taking
// it advances lowest by scanning 64 offsets per step. Sequential creation is
// O(n) overall even on a /8.
type addrPool struct {
	base   uint32   // network address
	last   uint32   // highest client offset (size-2)
	used   []uint64 // bit i set: offset i taken; grown on demand
	lowest uint32   // lowest free client offset; last+1 when full
}

// firstClientOffset is the offset of the first address handed to a client.
const firstClientOffset = 2

func newAddrPool(p netip.Prefix) addrPool {
	a4 := p.Addr().As4()
	size := uint64(1) << (32 - p.Bits())
	return addrPool{
		base:   binary.BigEndian.Uint32(a4[:]),
		last:   uint32(size - 2),
		lowest: firstClientOffset,
	}
}

// next returns the lowest free client address, or false when none is left.
func (p *addrPool) next() (netip.Addr, bool) {
	if p.lowest > p.last {
		return netip.Addr{}, false
	}
	return p.addr(p.lowest), true
}

// capacity is the number of client addresses in the subnet.
func (p *addrPool) capacity() uint32 { return p.last - firstClientOffset + 1 }

// offset returns a's offset, and false unless a is a client address of the
// subnet.
func (p *addrPool) offset(a netip.Addr) (uint32, bool) {
	if !a.Is4() {
		return 0, false
	}
	a4 := a.As4()
	off := binary.BigEndian.Uint32(a4[:]) - p.base
	return off, off >= firstClientOffset && off <= p.last
}

func (p *addrPool) addr(off uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], p.base+off)
	return netip.AddrFrom4(b)
}

func (p *addrPool) taken(off uint32) bool {
	w := off / 64
	return int(w) < len(p.used) && p.used[w]&(1<<(off%64)) != 0
}

// take marks a valid, free offset as used.
func (p *addrPool) take(off uint32) {
	w := int(off / 64)
	for len(p.used) <= w {
		p.used = append(p.used, 0)
	}
	p.used[w] |= 1 << (off % 64)
	if off == p.lowest {
		p.lowest = p.scanFree(off + 1)
	}
}

// release marks offset off as free again.
func (p *addrPool) release(off uint32) {
	if w := int(off / 64); w < len(p.used) {
		p.used[w] &^= 1 << (off % 64)
	}
	if off < p.lowest {
		p.lowest = off
	}
}

// scanFree returns the lowest free offset >= from, or last+1.
func (p *addrPool) scanFree(from uint32) uint32 {
	for off := from; off <= p.last; {
		w := int(off / 64)
		if w >= len(p.used) {
			return off
		}
		free := ^p.used[w] >> (off % 64)
		if free != 0 {
			return min(off+uint32(bits.TrailingZeros64(free)), p.last+1)
		}
		off = uint32(w+1) * 64
	}
	return p.last + 1
}

func (p *addrPool) clone() addrPool {
	c := *p
	c.used = append([]uint64(nil), p.used...)
	return c
}
