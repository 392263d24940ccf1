package followup

import "time"

// Request is an agent's request the bot acknowledged (a slash command, a
// button, a modal): kept until it has been carried out and answered, so a
// crash never loses it.
type Request struct {
	ID         string `db:"id"`
	AgentSlack string `db:"agent_slack"`
	// Payload is what to carry out, as the bot encoded it.
	Payload []byte `db:"payload"`
	// ResponseURL is where Slack takes the answer (for 30 minutes).
	ResponseURL string    `db:"response_url"`
	Tries       int       `db:"tries"`
	CreatedAt   time.Time `db:"created_at"`
}
