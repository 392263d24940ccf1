// Package pgtest gives each test its own freshly migrated Postgres database,
// cloned from a template database that is built once per schema version, so a
// test never sees another test's rows and costs tens of milliseconds.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/followup-dev/followup/schema"
)

// DefaultURL is the server the tests use when FOLLOWUP_TEST_DATABASE_URL and
// DATABASE_URL are unset: the local Postgres that scripts/pg-ensure starts.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// BaseURL is the server the test databases are created on.
func BaseURL() string {
	for _, k := range []string{"FOLLOWUP_TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return DefaultURL
}

// New creates a new database migrated to the newest schema and returns its
// URL. The database is dropped when the test ends.
func New(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := BaseURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: open %s: %v", redact(base), err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("pgtest: Postgres is not reachable at %s (start it with scripts/pg-ensure): %v", redact(base), err)
	}
	tmpl, err := ensureTemplate(ctx, admin, base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "followup_test_" + randomSuffix()
	if err := retry(ctx, func() error {
		_, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl))
		return err
	}); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

// Open is New followed by sql.Open; the pool is closed when the test ends.
func Open(t testing.TB) *sql.DB {
	t.Helper()
	u := New(t)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Relay returns dbURL rewritten to reach the server through a local TCP
// relay, and a function that cuts the relay: open connections are closed
// and new ones refused, as when Postgres goes down, for tests of what the
// product does then. The relay is cut when the test ends.
func Relay(t testing.TB, dbURL string) (relayURL string, cut func()) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		t.Fatalf("pgtest: relay needs a postgres:// URL with a host, not %s", redact(dbURL))
	}
	upstream := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: relay: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	down := false
	cut = sync.OnceFunc(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		down = true
		for _, c := range conns {
			c.Close()
		}
	})
	t.Cleanup(cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // cut
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			if down { // cut while this one was being dialled
				c.Close()
				up.Close()
			}
			conns = append(conns, c, up)
			mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	u.Host = ln.Addr().String()
	return u.String(), cut
}

// Outage cuts the database at dbURL as an outage would: new connections
// are refused and every open one is terminated (pg_terminate_backend).
// The returned function ends the outage; it also ends when the test does.
func Outage(t testing.TB, dbURL string) (end func()) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || len(u.Path) < 2 {
		t.Fatalf("pgtest: outage needs a database URL, not %s", redact(dbURL))
	}
	name := u.Path[1:]
	admin, err := sql.Open("pgx", BaseURL())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s WITH ALLOW_CONNECTIONS false", name)); err != nil {
		t.Fatalf("pgtest: outage of %s: %v", name, err)
	}
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
		t.Fatalf("pgtest: terminate connections to %s: %v", name, err)
	}
	end = sync.OnceFunc(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s WITH ALLOW_CONNECTIONS true", name)); err != nil {
			t.Errorf("pgtest: end the outage of %s: %v", name, err)
		}
	})
	t.Cleanup(end)
	return end
}

// Terminate ends every open connection to the database at dbURL
// (pg_terminate_backend), as a Postgres restart or a failover does; new
// connections are allowed.
func Terminate(t testing.TB, dbURL string) int {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || len(u.Path) < 2 {
		t.Fatalf("pgtest: terminate needs a database URL, not %s", redact(dbURL))
	}
	admin, err := sql.Open("pgx", BaseURL())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, u.Path[1:]).Scan(&n); err != nil {
		t.Fatalf("pgtest: terminate connections: %v", err)
	}
	return n
}

// Empty creates a database with no schema at all (for migration tests).
func Empty(t testing.TB) string {
	t.Helper()
	base := BaseURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()
	name := "followup_test_" + randomSuffix()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			defer db.Close()
			_, err = db.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
		}
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

// ensureTemplate builds the template database for the current migrations if
// no test process has built it yet. An advisory lock makes concurrent test
// binaries wait for one builder instead of racing.
func ensureTemplate(ctx context.Context, admin *sql.DB, base string) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(schema.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schema.FS(), path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	name := "followup_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]

	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	const lockKey = 7262610 // arbitrary, fixed: "followup template"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck

	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := sql.Open("pgx", withDatabase(base, building))
	if err != nil {
		return "", err
	}
	_, err = schema.Migrate(ctx, db)
	db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

// retry repeats CREATE DATABASE while another session briefly holds the
// template (Postgres refuses to copy a database that is in use).
func retry(ctx context.Context, f func() error) error {
	var err error
	for i := 0; i < 50; i++ {
		if err = f(); err == nil || !strings.Contains(err.Error(), "is being accessed by other users") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return u.Redacted()
}
