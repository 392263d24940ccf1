package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// SortedSearch makes every search of s take the fallback Store.rank
// takes when the chosen plan is too slow, so tests can compare the two.
func SortedSearch(s *Store) { s.sortedSearch = true }

// Sleep runs pg_sleep(d) under a statement timeout of budget, as
// Store.rank runs a search, and says whether Postgres cancelled it.
func Sleep(ctx context.Context, s *Store, d, budget time.Duration) (timedOut bool, err error) {
	err = s.withStatementTimeout(ctx, budget, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, "SELECT pg_sleep($1)", d.Seconds())
		return err
	})
	if err == errStatementTimeout {
		return true, nil
	}
	return false, err
}
