// Package agent is the Sentrazone agent that runs on every VPN server.
//
// It reads the WireGuard device through wgctrl (kernel or a userspace
// wireguard-go device it runs itself), pushes a metrics report to the control
// plane every interval, and long-polls the control plane for the desired
// peer set, which it applies to the device as a minimal diff. Reports queue in
// a bounded buffer while the control plane is unreachable and are delivered
// in order once it is back.
//
// The package imports only the standard library, the domain wire types,
// wgctrl/wireguard-go and small networking libraries; never the control
// plane's own packages.
package agent
