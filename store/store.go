// Package store is followup's Postgres storage: every query the product runs,
// over sqlx and pgx. Errors leave the package as *followup.Error where a
// person can act on them (not found, conflict, invalid).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/schema"
)

// Store is the product's database.
type Store struct {
	db   *sqlx.DB
	pool *pgxpool.Pool
	// guard is a small pool of its own for the Slack replay guard, the one
	// write on the path of every Slack acknowledgement: it never queues
	// behind the follow-ups' work, and commits without waiting for the
	// disk (a record lost in a Postgres crash only lets a request replayed
	// within the next 5 minutes through the guard; signatures and
	// timestamps still hold). Requests are recorded on the main pool, with
	// a synchronous commit: they must survive.
	guard *pgxpool.Pool
	// prunedAt is when the replay guard last pruned (Unix nanoseconds).
	prunedAt atomic.Int64
	// sortedSearch makes every search read its key ranges and sort them,
	// the fallback of a slow plan (tests compare the two).
	sortedSearch bool
}

// Open connects to the database at url (a postgres:// URL or DSN).
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, followup.Errorf(followup.EInvalid, "DATABASE_URL is not a valid Postgres URL: %v", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default (the number of CPUs, at least 4) starves a burst:
		// Slack's acknowledgements wait behind the follow-ups' work.
		cfg.MaxConns = max(cfg.MaxConns, 20)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, followup.Wrapf(followup.EInternal, err, "cannot reach Postgres at %s:%d (is it running? scripts/pg-ensure starts a local one)", cfg.ConnConfig.Host, cfg.ConnConfig.Port)
	}
	gcfg := cfg.Copy()
	gcfg.MaxConns, gcfg.MinConns = 8, 0
	gcfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	guard, err := pgxpool.NewWithConfig(ctx, gcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	return &Store{db: sqlx.NewDb(stdlib.OpenDBFromPool(pool), "pgx"), pool: pool, guard: guard}, nil
}

// Close releases the connections.
func (s *Store) Close() {
	s.db.Close()
	s.pool.Close()
	s.guard.Close()
}

// DB is the underlying handle, for migrations and bulk loads.
func (s *Store) DB() *sqlx.DB { return s.db }

// Pool is the pgx pool, for COPY.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Migrate applies the schema migrations.
func (s *Store) Migrate(ctx context.Context) (schema.Result, error) {
	return schema.Migrate(ctx, s.db.DB)
}

// inTx runs f in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return translate(err, "commit")
	}
	return nil
}

// unavailable reports whether err says Postgres could not be reached or
// dropped the connection (rather than refusing the statement): a refused
// or lost connection, a timeout, a terminated backend, a server shutting
// down.
func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true // whatever the server said: it would not take a connection
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	return errors.As(err, &ne) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "closed pool")
}

// translate turns driver errors into the product's error kinds.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var fe *followup.Error
	if errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return followup.Wrapf(followup.ENotFound, err, "%s: not found", what)
	}
	if unavailable(err) {
		return followup.Wrapf(followup.EUnavailable, err, "The database is unavailable (%s)", what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &followup.Error{Code: followup.EConflict, Message: what + ": already exists (" + pe.ConstraintName + ")", Err: err}
		case "23503":
			return &followup.Error{Code: followup.EInvalid, Message: what + ": refers to something that does not exist (" + pe.ConstraintName + ")", Err: err}
		case "23514", "22P02", "22007", "22008":
			return &followup.Error{Code: followup.EInvalid, Message: what + ": invalid value (" + pe.Message + ")", Err: err}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
