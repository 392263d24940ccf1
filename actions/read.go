package actions

import (
	"context"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
)

// The reads an agent's tools need beside the actions: searching contacts,
// looking one up, who an agent is, the settings, the templates and the
// cadences.

// Find runs a contact search.
func (s *Service) Find(ctx context.Context, q Query) (Page, error) { return s.st.Find(ctx, q) }

// Contact is the contact with id (ENotFound when there is none).
func (s *Service) Contact(ctx context.Context, id int64) (followup.Contact, error) {
	return s.st.Contact(ctx, id)
}

// Identities are the contact's addresses, one per channel.
func (s *Service) Identities(ctx context.Context, contactID int64) ([]followup.Identity, error) {
	return s.st.Identities(ctx, contactID)
}

// Agent is the agent with id (ENotFound when there is none).
func (s *Service) Agent(ctx context.Context, id int64) (followup.Agent, error) {
	return s.st.Agent(ctx, id)
}

// AgentBySlackUser is the agent registered for a Slack user (ENotFound
// when none is).
func (s *Service) AgentBySlackUser(ctx context.Context, slackUserID string) (followup.Agent, error) {
	return s.st.AgentBySlackUser(ctx, slackUserID)
}

// Settings are the workspace's settings (windows, limits).
func (s *Service) Settings(ctx context.Context) (followup.Settings, error) { return s.st.Settings(ctx) }

// Templates are the channel's templates, approved or not.
func (s *Service) Templates(ctx context.Context, ch followup.Channel) ([]followup.Template, error) {
	return s.st.Templates(ctx, ch)
}

// Cadence is the cadence defined under name (ENotFound when none is).
func (s *Service) Cadence(ctx context.Context, name string) (cadences.Cadence, error) {
	return s.st.Cadence(ctx, name)
}

// Cadences are the defined cadences.
func (s *Service) Cadences(ctx context.Context) ([]cadences.Cadence, error) {
	return s.st.Cadences(ctx)
}
