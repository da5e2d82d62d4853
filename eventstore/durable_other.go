//go:build !linux

package eventstore

import "errors"

// dirSyncer is Linux only (syncfs); elsewhere the broker fsyncs every
// batch itself.
func dirSyncer(string) (func() error, func() error, error) {
	return nil, nil, errors.New("syncfs is Linux only")
}
