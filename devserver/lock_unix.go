//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package devserver

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errLocked is lockFile's error when another open file holds the lock.
var errLocked = errors.New("locked by another process")

// lockFile takes an exclusive lock on path, creating it if needed, and
// writes this process's id into it. Two servers writing one SQLite file
// would both claim the history shard and fight over it. The kernel drops
// the lock when the process dies, so a crash leaves nothing to clean up.
// When another process holds the lock, the error is errLocked and pid is
// that process's id as it wrote it (0 if unknown).
func lockFile(path string) (_ *os.File, pid int, _ error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("open lock file: %w", err)
	}
	// locked holds a shared lock for an instant: wait that out rather than
	// fail a start that raced with a client looking for the server.
	for try := 0; ; try++ {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) || try == 4 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			b, _ := os.ReadFile(path)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return nil, pid, errLocked
		}
		return nil, 0, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, 0, nil
}

// locked reports whether a server holds the lock on path. It takes a
// shared lock for an instant, which fails while the exclusive one is held.
func locked(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	return errors.Is(err, syscall.EWOULDBLOCK)
}

// unlockFile releases a lock taken by lockFile.
func unlockFile(f *os.File) error {
	// Closing the last descriptor releases a flock.
	return f.Close()
}
