//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package devserver

import (
	"errors"
	"os"
)

// errLocked is never returned on this platform.
var errLocked = errors.New("locked by another process")

// lockFile does not lock on this platform: keep to one dev server per data
// directory by hand.
func lockFile(path string) (*os.File, int, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	return f, 0, err
}

// locked cannot tell on this platform: a recorded address is trusted.
func locked(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// unlockFile closes the file lockFile opened.
func unlockFile(f *os.File) error { return f.Close() }
