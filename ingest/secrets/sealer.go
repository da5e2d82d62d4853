// Package secrets seals peer keys and password hashes with per-item data
// keys (envelope encryption). A data key is wrapped by the master key and
// kept in a KeyStore outside the event log; destroying it makes every
// sealed copy in the immutable log unreadable (crypto-shredding).
package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// KeySize is the size of master and data keys: AES-256.
const KeySize = 32

// ErrKeyNotFound means the data key does not exist, or was destroyed.
var ErrKeyNotFound = errors.New("data key not found")

// KeyStore keeps wrapped data keys outside the log.
type KeyStore interface {
	PutKey(ctx context.Context, keyID string, wrapped []byte) error
	// GetKey returns ErrKeyNotFound for an unknown key.
	GetKey(ctx context.Context, keyID string) ([]byte, error)
	DeleteKey(ctx context.Context, keyID string) error
}

// Sealer creates data keys and opens what they sealed.
type Sealer struct {
	master cipher.AEAD
	store  KeyStore
}

// NewSealer uses masterKey (KeySize bytes) to wrap data keys kept in store.
func NewSealer(masterKey []byte, store KeyStore) (*Sealer, error) {
	if len(masterKey) != KeySize {
		return nil, fmt.Errorf("master key must be %d bytes, got %d", KeySize, len(masterKey))
	}
	aead, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	return &Sealer{master: aead, store: store}, nil
}

// DataKey seals values for one peer or user.
type DataKey struct {
	ID   string
	aead cipher.AEAD
}

// NewDataKey makes a fresh data key and stores it wrapped.
func (s *Sealer) NewDataKey(ctx context.Context) (*DataKey, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	id := uuid.NewString()
	if err := s.store.PutKey(ctx, id, seal(s.master, raw, []byte(id))); err != nil {
		return nil, fmt.Errorf("store data key: %w", err)
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{ID: id, aead: aead}, nil
}

// Seal encrypts plaintext; aad binds it to its context (e.g. the field name).
func (k *DataKey) Seal(plaintext, aad []byte) []byte { return seal(k.aead, plaintext, aad) }

// Open decrypts a value sealed with data key keyID and the same aad.
func (s *Sealer) Open(ctx context.Context, keyID string, sealed, aad []byte) ([]byte, error) {
	wrapped, err := s.store.GetKey(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("open sealed value: %w", err)
	}
	raw, err := open(s.master, wrapped, []byte(keyID))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key %s (wrong master key?): %w", keyID, err)
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	out, err := open(aead, sealed, aad)
	if err != nil {
		return nil, fmt.Errorf("open sealed value with key %s: %w", keyID, err)
	}
	return out, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return aead, nil
}

// seal returns nonce || ciphertext.
func seal(aead cipher.AEAD, plaintext, aad []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	return aead.Seal(nonce, nonce, plaintext, aad)
}

func open(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	return aead.Open(nil, sealed[:n], sealed[n:], aad)
}

// Shred destroys a data key: what it sealed can never be opened again.
func (s *Sealer) Shred(ctx context.Context, keyID string) error {
	if err := s.store.DeleteKey(ctx, keyID); err != nil {
		return fmt.Errorf("shred data key %s: %w", keyID, err)
	}
	return nil
}
