package agent

import (
	"encoding/hex"
	"strconv"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// appendUAPISet appends the lines of a UAPI "set" operation for cfg, as
// wgctrl writes them, without the leading set=1 and the final empty line.
func appendUAPISet(b []byte, cfg wgtypes.Config) []byte {
	key := func(name string, k wgtypes.Key) {
		b = append(b, name...)
		b = append(b, '=')
		b = hex.AppendEncode(b, k[:])
		b = append(b, '\n')
	}
	num := func(name string, n int64) {
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendInt(b, n, 10)
		b = append(b, '\n')
	}
	if cfg.PrivateKey != nil {
		key("private_key", *cfg.PrivateKey)
	}
	if cfg.ListenPort != nil {
		num("listen_port", int64(*cfg.ListenPort))
	}
	if cfg.FirewallMark != nil {
		num("fwmark", int64(*cfg.FirewallMark))
	}
	if cfg.ReplacePeers {
		b = append(b, "replace_peers=true\n"...)
	}
	for _, p := range cfg.Peers {
		key("public_key", p.PublicKey)
		if p.Remove {
			b = append(b, "remove=true\n"...)
		}
		if p.UpdateOnly {
			b = append(b, "update_only=true\n"...)
		}
		if p.PresharedKey != nil {
			key("preshared_key", *p.PresharedKey)
		}
		if p.Endpoint != nil {
			b = append(b, "endpoint="...)
			b = append(b, p.Endpoint.String()...)
			b = append(b, '\n')
		}
		if p.PersistentKeepaliveInterval != nil {
			num("persistent_keepalive_interval", int64(p.PersistentKeepaliveInterval.Seconds()))
		}
		if p.ReplaceAllowedIPs {
			b = append(b, "replace_allowed_ips=true\n"...)
		}
		for _, ip := range p.AllowedIPs {
			b = append(b, "allowed_ip="...)
			b = append(b, ip.String()...)
			b = append(b, '\n')
		}
	}
	return b
}
