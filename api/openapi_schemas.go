package api

import "slices"

// Schema building blocks.
var (
	str      = obj{"type": "string"}
	boolean  = obj{"type": "boolean"}
	integer  = obj{"type": "integer", "format": "int64"}
	counter  = obj{"type": "integer", "format": "int64", "minimum": 0}
	dateTime = obj{"type": "string", "format": "date-time"}
)

func nullable(s obj) obj {
	out := obj{"nullable": true}
	for k, v := range s {
		out[k] = v
	}
	return out
}

func described(s obj, desc string) obj {
	out := obj{"description": desc}
	for k, v := range s {
		out[k] = v
	}
	return out
}

// object is a closed object schema; every property is required unless
// listed in optional.
func object(props obj, optional ...string) obj {
	var required []string
	for name := range props {
		req := true
		for _, o := range optional {
			req = req && o != name
		}
		if req {
			required = append(required, name)
		}
	}
	slices.Sort(required)
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func openAPISchemas() obj {
	peerBase := obj{
		"id": str, "name": str, "enabled": boolean,
		"address": described(str, "The peer's IPv4 address."), "publicKey": str,
	}
	peer := obj{
		"latestHandshakeAt": nullable(dateTime),
		"transferRx":        counter, "transferTx": counter,
	}
	for k, v := range peerBase {
		peer[k] = v
	}
	server := obj{
		"id": str, "name": str, "endpoint": str, "subnet": str, "dns": str,
		"public_key":    described(nullable(str), "The server's WireGuard public key; null until its agent reported."),
		"listen_port":   nullable(obj{"type": "integer"}),
		"registered_at": dateTime,
	}
	newServer := obj{"agent_token": described(str, "The server's agent token, shown only here.")}
	for k, v := range server {
		newServer[k] = v
	}
	return obj{
		"Error": object(obj{"error": object(obj{
			"code":    described(str, "Stable machine-readable code, e.g. bad_request, invalid, not_found, conflict, full, rate_limited."),
			"message": described(str, "Human-readable explanation."),
		})}),
		"Health":       object(obj{"status": str}),
		"LoginRequest": object(obj{"email": str, "password": obj{"type": "string", "format": "password"}}),
		"Token":        object(obj{"token": described(str, "HS256 JWT with claims sub, email, role, iat, exp, jti.")}),
		"ServerStatus": object(obj{
			"server_id": str,
			"online":    described(boolean, "The last report is younger than the offline threshold."),
			"ping_ms":   described(nullable(obj{"type": "number"}), "null when the last probe failed or the server never reported."),
			"peers":     obj{"type": "integer"}, "transfer_rx": counter, "transfer_tx": counter,
			"reported_at": described(nullable(dateTime), "null when the server never reported."),
		}),
		"HistoryPoint": object(obj{
			"server_id":   str,
			"ping_ms":     described(nullable(obj{"type": "number"}), "Average of successful probes in the bucket; null when none succeeded."),
			"transfer_rx": counter, "transfer_tx": counter,
			"recorded_at": described(dateTime, "Bucket start."),
		}),
		"Peer":              object(peer),
		"NewPeer":           object(peerBase),
		"CreatePeerRequest": object(obj{"name": described(str, "1–64 letters, digits, '.', '_' or '-'; unique per server ignoring case.")}),
		"AuditRow": object(obj{
			"id": integer, "actor": str, "action": str, "target": str, "ip": str, "created_at": dateTime,
		}),
		"Report":   reportSchema(),
		"Accepted": object(obj{"accepted": obj{"type": "integer"}}),
		"AgentConfig": object(obj{
			"server_id": str, "version": obj{"type": "integer"},
			"address": described(str, "The server's own address in its subnet, e.g. 10.8.0.1/24."),
			"peers":   arrayOf(object(obj{"public_key": str, "preshared_key": str, "allowed_ips": arrayOf(str)})),
		}),
		"RegisterServerRequest": object(obj{
			"id":       described(str, "1–63 lowercase letters, digits or '-', not starting with '-'."),
			"name":     str,
			"endpoint": described(str, "Public host:port clients connect to."),
			"subnet":   described(str, "IPv4 CIDR, /8 to /30 (default 10.8.0.0/24)."),
			"dns":      described(str, "Comma-separated resolver IPs (default 1.1.1.1)."),
		}, "subnet", "dns"),
		"Server":    object(server),
		"NewServer": object(newServer),
		"CreateUserRequest": object(obj{
			"email":    str,
			"password": obj{"type": "string", "format": "password", "minLength": 8, "maxLength": 128},
			"role":     obj{"type": "string", "enum": []string{"admin", "user"}},
		}),
		"User": object(obj{
			"id": str, "email": str, "role": obj{"type": "string", "enum": []string{"admin", "user"}}, "created_at": dateTime,
		}),
	}
}

// reportSchema is an agent report. It is open: agents may send fields a
// control plane does not know yet.
func reportSchema() obj {
	peerStat := obj{"type": "object", "properties": obj{
		"public_key": str, "endpoint": str, "latest_handshake_at": dateTime,
		"transfer_rx": counter, "transfer_tx": counter,
	}}
	return obj{
		"type":     "object",
		"required": []string{"server_id"},
		"properties": obj{
			"server_id":   obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
			"ping_ms":     described(nullable(obj{"type": "number", "minimum": 0}), "null (or absent) when the latency probe failed."),
			"peers":       obj{"type": "integer", "minimum": 0},
			"transfer_rx": counter, "transfer_tx": counter,
			"reported_at": described(dateTime, "Default: when the control plane received it."),
			"interface": obj{"type": "object", "properties": obj{
				"public_key": str, "listen_port": obj{"type": "integer", "minimum": 0, "maximum": 65535},
			}},
			"peer_stats":      arrayOf(peerStat),
			"applied_version": obj{"type": "integer", "minimum": 0},
		},
	}
}
