//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package devserver

import "os"

// lockFile does not lock on this platform: keep to one dev server per data
// directory by hand.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// unlockFile closes the file lockFile opened.
func unlockFile(f *os.File) error { return f.Close() }
