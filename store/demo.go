package store

import (
	"context"
	"fmt"

	"github.com/followup-dev/followup"
)

// ReplaceExternalID renames the identity on ch whose id is was to is (the
// demo workspace's upgrade of its older placeholder ids); nothing when
// there is none.
func (s *Store) ReplaceExternalID(ctx context.Context, ch followup.Channel, was, is string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE identities SET external_id = $3 WHERE channel = $1 AND external_id = $2`, ch, was, is)
	if err != nil {
		return fmt.Errorf("rename the %s identity %q: %w", ch, was, err)
	}
	return nil
}
