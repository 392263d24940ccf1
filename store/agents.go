package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/followup-dev/followup"
)

// SaveAgent registers an agent or updates the name and role of the one with
// the same Slack user id. created reports which happened.
func (s *Store) SaveAgent(ctx context.Context, a followup.Agent) (saved followup.Agent, created bool, err error) {
	a.SlackUserID = strings.TrimSpace(a.SlackUserID)
	a.Name = strings.TrimSpace(a.Name)
	if a.SlackUserID == "" {
		return a, false, followup.Errorf(followup.EInvalid, "an agent needs a Slack user id (--slack-user U…)")
	}
	if a.Name == "" {
		return a, false, followup.Errorf(followup.EInvalid, "an agent needs a name (--name)")
	}
	if a.Role == "" {
		a.Role = followup.RoleAgent
	}
	if _, err := followup.ParseRole(string(a.Role)); err != nil {
		return a, false, err
	}
	var row struct {
		followup.Agent
		Created bool `db:"created"`
	}
	err = s.db.GetContext(ctx, &row, `
		INSERT INTO agents (slack_user_id, name, role) VALUES ($1, $2, $3)
		ON CONFLICT (slack_user_id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role
		RETURNING id, slack_user_id, name, role, created_at, (xmax = 0) AS created`,
		a.SlackUserID, a.Name, a.Role)
	if err != nil {
		return a, false, translate(err, "save agent")
	}
	return row.Agent, row.Created, nil
}

// Agents lists the registered agents by name.
func (s *Store) Agents(ctx context.Context) ([]followup.Agent, error) {
	out := []followup.Agent{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, slack_user_id, name, role, created_at FROM agents ORDER BY name, id`)
	return out, translate(err, "list agents")
}

// AgentBySlackUser finds a registered agent; ENotFound means the Slack user
// may not act.
func (s *Store) AgentBySlackUser(ctx context.Context, slackUserID string) (followup.Agent, error) {
	var a followup.Agent
	err := s.db.GetContext(ctx, &a, `SELECT id, slack_user_id, name, role, created_at FROM agents WHERE slack_user_id = $1`, slackUserID)
	if err != nil {
		return a, translate(err, "agent "+slackUserID)
	}
	return a, nil
}

// Agent finds an agent by id.
func (s *Store) Agent(ctx context.Context, id int64) (followup.Agent, error) {
	var a followup.Agent
	err := s.db.GetContext(ctx, &a, `SELECT id, slack_user_id, name, role, created_at FROM agents WHERE id = $1`, id)
	return a, translate(err, fmt.Sprintf("agent %d", id))
}

// RemoveAgent deletes an agent; their conversations become unassigned.
func (s *Store) RemoveAgent(ctx context.Context, slackUserID string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM agents WHERE slack_user_id = $1`, slackUserID)
	if err != nil {
		return translate(err, "remove agent")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return followup.Errorf(followup.ENotFound, "no agent with Slack user id %q", slackUserID)
	}
	return nil
}
