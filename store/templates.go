package store

import (
	"context"
	"strings"

	"github.com/followup-dev/followup"
)

// SaveTemplate adds a template or updates the one with the same channel,
// name and language.
func (s *Store) SaveTemplate(ctx context.Context, t followup.Template) (followup.Template, error) {
	t.Name, t.Language = strings.TrimSpace(t.Name), strings.TrimSpace(t.Language)
	if _, err := followup.ParseChannel(string(t.Channel)); err != nil {
		return t, err
	}
	if t.Name == "" {
		return t, followup.Errorf(followup.EInvalid, "a template needs a name")
	}
	if t.Language == "" {
		t.Language = "en"
	}
	if t.Status == "" {
		t.Status = followup.TemplateApproved
	}
	if _, err := followup.ParseTemplateStatus(string(t.Status)); err != nil {
		return t, err
	}
	if t.ParamCount < 0 {
		return t, followup.Errorf(followup.EInvalid, "parameter count must be 0 or more")
	}
	err := s.db.GetContext(ctx, &t, `
		INSERT INTO templates (channel, name, language, status, param_count, body) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (channel, name, language) DO UPDATE SET status = EXCLUDED.status, param_count = EXCLUDED.param_count, body = EXCLUDED.body
		RETURNING id, channel, name, language, status, param_count, body`,
		t.Channel, t.Name, t.Language, t.Status, t.ParamCount, t.Body)
	return t, translate(err, "save template")
}

// Templates lists templates, of one channel or ("" ) all, by name.
func (s *Store) Templates(ctx context.Context, ch followup.Channel) ([]followup.Template, error) {
	out := []followup.Template{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, channel, name, language, status, param_count, body FROM templates
		WHERE $1 = '' OR channel = $1 ORDER BY channel, name, language`, ch)
	return out, translate(err, "list templates")
}

// Template finds a template by channel and name; with language "" the
// first by language wins.
func (s *Store) Template(ctx context.Context, ch followup.Channel, name, language string) (followup.Template, error) {
	var t followup.Template
	err := s.db.GetContext(ctx, &t, `SELECT id, channel, name, language, status, param_count, body FROM templates
		WHERE channel = $1 AND name = $2 AND ($3 = '' OR language = $3) ORDER BY language LIMIT 1`, ch, name, language)
	if err != nil && isNoRows(err) {
		return t, followup.Errorf(followup.ENotFound, "no %s template named %q (followup templates list shows them)", ch.Title(), name)
	}
	return t, translate(err, "template")
}
