package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
)

// cadenceRow is a cadences row; steps is the JSON of []cadences.Step.
type cadenceRow struct {
	Name      string    `db:"name"`
	Steps     []byte    `db:"steps"`
	CreatedBy string    `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
}

func (r cadenceRow) cadence() (cadences.Cadence, error) {
	c := cadences.Cadence{Name: r.Name, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal(r.Steps, &c.Steps); err != nil {
		return c, fmt.Errorf("read the steps of cadence %q: %w", r.Name, err)
	}
	return c, nil
}

// SaveCadence defines a new cadence (its name lower-cased). A cadence
// is never replaced in place: a name that exists is a conflict, so a
// supervisor changes one by removing it first.
func (s *Store) SaveCadence(ctx context.Context, c cadences.Cadence) error {
	c.Name = cadences.NormalizeName(c.Name)
	c.CreatedBy = strings.TrimSpace(c.CreatedBy)
	if err := cadences.Validate(c); err != nil {
		return err
	}
	if c.CreatedBy == "" {
		return followup.Errorf(followup.EInvalid, "say who defines cadence %q", c.Name)
	}
	steps, err := json.Marshal(c.Steps)
	if err != nil {
		return fmt.Errorf("save cadence %q: %w", c.Name, err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO cadences (name, steps, created_by) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, c.Name, steps, c.CreatedBy)
	if err != nil {
		return translate(err, "save cadence")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return followup.Errorf(followup.EConflict,
			"a cadence named %q exists; remove it first (followup cadences remove %s) or pick another name", c.Name, c.Name)
	}
	return nil
}

// Cadence finds a cadence by name, in any case. ENotFound names the
// cadences that exist, or says how to define one.
func (s *Store) Cadence(ctx context.Context, name string) (cadences.Cadence, error) {
	name = cadences.NormalizeName(name)
	var r cadenceRow
	err := s.db.GetContext(ctx, &r, `SELECT name, steps, created_by, created_at FROM cadences WHERE name = $1`, name)
	if err != nil && isNoRows(err) {
		return cadences.Cadence{}, s.noCadence(ctx, name)
	}
	if err != nil {
		return cadences.Cadence{}, translate(err, "cadence")
	}
	return r.cadence()
}

// Cadences lists the cadences by name.
func (s *Store) Cadences(ctx context.Context) ([]cadences.Cadence, error) {
	var rows []cadenceRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT name, steps, created_by, created_at FROM cadences ORDER BY name`); err != nil {
		return nil, translate(err, "list cadences")
	}
	out := make([]cadences.Cadence, 0, len(rows))
	for _, r := range rows {
		c, err := r.cadence()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// RemoveCadence deletes a cadence by name, in any case. The cadences
// already started keep their own copy of the steps.
func (s *Store) RemoveCadence(ctx context.Context, name string) error {
	name = cadences.NormalizeName(name)
	res, err := s.db.ExecContext(ctx, `DELETE FROM cadences WHERE name = $1`, name)
	if err != nil {
		return translate(err, "remove cadence")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.noCadence(ctx, name)
	}
	return nil
}

// maxNamesListed bounds the names a not-found error lists.
const maxNamesListed = 20

// noCadence is the not-found error for name: it lists the names that
// exist, or says how to define the first.
func (s *Store) noCadence(ctx context.Context, name string) error {
	var names []string
	if err := s.db.SelectContext(ctx, &names, `SELECT name FROM cadences ORDER BY name LIMIT $1`, maxNamesListed+1); err != nil {
		return translate(err, "list cadences")
	}
	switch {
	case len(names) == 0:
		return followup.Errorf(followup.ENotFound, "no cadence named %q: none is defined yet; followup cadences add NAME STEP… defines one", name)
	case len(names) > maxNamesListed:
		return followup.Errorf(followup.ENotFound, "no cadence named %q; the cadences are: %s, … (followup cadences list shows them all)", name, strings.Join(names[:maxNamesListed], ", "))
	}
	return followup.Errorf(followup.ENotFound, "no cadence named %q; the cadences are: %s", name, strings.Join(names, ", "))
}
