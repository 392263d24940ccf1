// Package schema holds the versioned SQL migrations of the followup database,
// embedded in the binary, and applies them.
package schema

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FS returns the migration files, for tests and tools that fingerprint them.
func FS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}

// Result says what Migrate did.
type Result struct {
	Applied []int64 // versions applied by this call, in order
	Version int64   // the database's version afterwards
}

// Migrate brings the database up to the newest migration. It is safe to run
// twice and from several processes at once: a Postgres advisory lock
// serialises concurrent runs.
func Migrate(ctx context.Context, db *sql.DB) (Result, error) {
	p, err := provider(db)
	if err != nil {
		return Result{}, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("apply migrations: %w", err)
	}
	var out Result
	for _, r := range res {
		out.Applied = append(out.Applied, r.Source.Version)
	}
	if out.Version, err = p.GetDBVersion(ctx); err != nil {
		return out, fmt.Errorf("read schema version: %w", err)
	}
	return out, nil
}

// Down rolls back every migration; tests use it to prove each Down works.
func Down(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("roll back migrations: %w", err)
	}
	return nil
}

func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, FS(), goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}
