package secretbox

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxKeyFileSize bounds what LoadOrCreateKeyFile reads: a key file holds one
// base64 line, anything much larger is not a key file.
const maxKeyFileSize = 1 << 10

// ParseKey decodes a base64 key given by configuration, e.g. generated with
// `openssl rand -base64 32`. Standard and URL-safe alphabets, padded or not,
// are accepted, surrounding white space is ignored, and the result must be
// exactly KeySize bytes. Errors never echo the input, which is a secret.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("secretbox: key is empty")
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("secretbox: key decodes to %d bytes, want %d (generate one with `openssl rand -base64 %d`)", len(key), KeySize, KeySize)
		}
		return key, nil
	}
	return nil, fmt.Errorf("secretbox: key is not valid base64 (%d characters)", len(s))
}

// encodeKey is the key file format: the key in standard base64 and a
// newline, the same text ParseKey accepts, so an embedded key can later be
// moved into configuration shared by several instances.
func encodeKey(key []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(key) + "\n")
}

// LoadOrCreateKeyFile returns the key stored at path, creating the file with
// a new random key (mode 0600, parent directories 0700) if it does not exist.
// It is the default for a single instance; several instances sharing a
// database must share a key given by configuration (see ParseKey).
//
// The file holds the key in base64 (see ParseKey), not raw bytes. Creation
// is atomic and race-free: the key is written and fsynced under a temporary
// name and then hard-linked to path, which fails if path already exists. So
// when processes race, exactly one key wins and every caller returns it, and
// nobody can read a half-written file. This needs a file system with hard
// links.
//
// An existing file is never replaced: if it is unreadable, malformed, or
// (on Unix) accessible by group or others, an error is returned, because
// replacing the key would make every stored secret unreadable.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("secretbox: create key directory: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secretbox: generate key: %w", err)
	}
	if err := writeNewFile(path, encodeKey(key)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process won the race; use its key.
			return readKeyFile(path)
		}
		return nil, err
	}
	return key, nil
}

// writeNewFile creates path with data, failing with fs.ErrExist if it
// exists. The file appears complete or not at all.
func writeNewFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	// CreateTemp uses mode 0600.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("secretbox: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("secretbox: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secretbox: sync key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secretbox: close key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("secretbox: install key file: %w", err)
	}
	// Make the new name durable; best effort, as not every file system
	// supports syncing a directory.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// readKeyFile reads and checks an existing key file. Errors wrap
// fs.ErrNotExist when there is no file.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secretbox: open key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secretbox: stat key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("secretbox: key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("secretbox: key file %s has mode %#o, must not be accessible by group or others (chmod 600 it)", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("secretbox: read key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("secretbox: key file %s is larger than %d bytes", path, maxKeyFileSize)
	}
	key, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}
