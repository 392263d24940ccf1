package actions

import (
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// The shapes the actions take and give. They are the store's and the
// follow-up workflow's own types (the same JSON, so recorded requests and
// histories read as before), named here so that the callers of actions
// (the bot, the CLI) reach contacts and follow-ups through this package
// alone.
type (
	// Query is a contact search; Page one page of its results, each a
	// Result.
	Query  = store.Query
	Page   = store.Page
	Result = store.Result
	// Inbox limits a search to the agent's contacts or not; StatusFilter
	// picks contacts by their conversation.
	Inbox        = store.Inbox
	StatusFilter = store.StatusFilter

	// SendRequest is what to send (or schedule) on a follow-up: a text, a
	// template (TemplateRequest), a cadence, and a Fallback.
	SendRequest     = workflows.SendRequest
	TemplateRequest = workflows.TemplateRequest
	Fallback        = workflows.Fallback
	// SendOutcome is what a send did; Outcome names it.
	SendOutcome = workflows.SendOutcome
	Outcome     = workflows.Outcome
	// State is a running follow-up's state, with its Scheduled sends.
	State     = workflows.State
	Scheduled = workflows.Scheduled
	// Summary is a running follow-up as a list shows it.
	Summary = workflows.Summary
)

// Inboxes and conversation filters of a Query.
const (
	InboxAll     = store.InboxAll
	InboxMine    = store.InboxMine
	StatusClosed = store.StatusClosed
	StatusOpen   = store.StatusOpen
	StatusAny    = store.StatusAny
)

// Outcomes of a send.
const (
	OutcomeSent        = workflows.OutcomeSent
	OutcomeScheduled   = workflows.OutcomeScheduled
	OutcomeUnconfirmed = workflows.OutcomeUnconfirmed
	OutcomeInProgress  = workflows.OutcomeInProgress
)
