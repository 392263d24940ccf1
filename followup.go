// Package followup holds the domain types of the followup product: agents,
// contacts and their channel identities, conversations, messages, templates,
// workspace settings, and the error kinds every layer speaks.
//
// The root package imports nothing of the product; every other package
// (window, store, workflows, activities, bot, channels) builds on it.
package followup

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Channel is a messaging channel a contact can be reached on.
type Channel string

// The channels of PRODUCT.md §6.
const (
	WhatsApp  Channel = "whatsapp"
	Messenger Channel = "messenger"
	Instagram Channel = "instagram"
	Viber     Channel = "viber"
	WeChat    Channel = "wechat"
	Telegram  Channel = "telegram"
	LINE      Channel = "line"
	Webchat   Channel = "webchat"
	SMS       Channel = "sms"
	Email     Channel = "email"
)

// channelTable is the one place a channel's facts are written, a line per
// channel in the order the product shows them: Channels, Title and
// ParseChannel derive from it (the rules live in package window).
var channelTable = []struct {
	c     Channel
	title string
}{
	{WhatsApp, "WhatsApp"},
	{Messenger, "Messenger"},
	{Instagram, "Instagram"},
	{Viber, "Viber"},
	{WeChat, "WeChat"},
	{Telegram, "Telegram"},
	{LINE, "LINE"},
	{Webchat, "Website chat"},
	{SMS, "SMS"},
	{Email, "Email"},
}

// DeduplicatesRetries reports whether the channel's provider recognises a
// retried send by our idempotency key and delivers it once: LINE
// (X-Line-Retry-Key) and our own website chat (Idempotency-Key). Meta,
// Viber, WeChat, Telegram, Twilio and SMTP deliver a repeated request
// twice, so a try that may have reached them is never repeated
// automatically (docs/RELIABILITY.md).
func (c Channel) DeduplicatesRetries() bool {
	return c == LINE || c == Webchat
}

// Channels lists every channel in the order the product shows them.
var Channels = func() []Channel {
	cs := make([]Channel, len(channelTable))
	for i, row := range channelTable {
		cs[i] = row.c
	}
	return cs
}()

// ParseChannel turns a user-supplied channel name into a Channel.
func ParseChannel(s string) (Channel, error) {
	names := make([]string, len(channelTable))
	for i, row := range channelTable {
		if string(row.c) == s {
			return row.c, nil
		}
		names[i] = string(row.c)
	}
	return "", Errorf(EInvalid, "unknown channel %q (one of: %s)", s, strings.Join(names, ", "))
}

// Title is the channel's name as agents read it.
func (c Channel) Title() string {
	for _, row := range channelTable {
		if row.c == c {
			return row.title
		}
	}
	return string(c)
}

// Role is what an agent may do.
type Role string

// Roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case RoleAgent, RoleSupervisor:
		return Role(s), nil
	}
	return "", Errorf(EInvalid, "unknown role %q (agent or supervisor)", s)
}

// Agent is a support agent or supervisor, identified by their Slack user.
type Agent struct {
	ID          int64     `db:"id" json:"id"`
	SlackUserID string    `db:"slack_user_id" json:"slack_user_id"`
	Name        string    `db:"name" json:"name"`
	Role        Role      `db:"role" json:"role"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

// Contact is a customer. Phone is E.164 ("+14155550142") or empty.
type Contact struct {
	ID               int64      `db:"id" json:"id"`
	FirstName        string     `db:"first_name" json:"first_name"`
	LastName         string     `db:"last_name" json:"last_name"`
	Email            string     `db:"email" json:"email"`
	Phone            string     `db:"phone" json:"phone"`
	VIP              bool       `db:"vip" json:"vip"`
	DedicatedAgentID *int64     `db:"dedicated_agent_id" json:"dedicated_agent_id"`
	Status           ConvStatus `db:"conv_status" json:"conversation_status"`
	AssigneeID       *int64     `db:"assignee_id" json:"assignee_id"`
	LastActivityAt   *time.Time `db:"last_activity_at" json:"last_activity_at"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	// TimeZone is the contact's IANA time zone as imported ("" when not
	// known; quiet hours then use the phone number's country's, when it
	// has one).
	TimeZone string `db:"time_zone" json:"time_zone,omitempty"`
}

// FullName is "First Last", or whichever part exists.
func (c Contact) FullName() string {
	switch {
	case c.FirstName == "":
		return c.LastName
	case c.LastName == "":
		return c.FirstName
	}
	return c.FirstName + " " + c.LastName
}

// Identity is a contact's address on one channel and the time the customer last
// wrote on it, which is where that channel's window starts.
type Identity struct {
	ContactID     int64      `db:"contact_id" json:"contact_id"`
	Channel       Channel    `db:"channel" json:"channel"`
	ExternalID    string     `db:"external_id" json:"external_id"`
	LastInboundAt *time.Time `db:"last_inbound_at" json:"last_inbound_at"`
}

// ConvStatus is a conversation's state.
type ConvStatus string

// Conversation states.
const (
	Open   ConvStatus = "open"
	Closed ConvStatus = "closed"
)

// ClosingLogic says what closing a conversation does to its assignee.
type ClosingLogic string

// Closing logics.
const (
	Unassign ClosingLogic = "unassign"
	Keep     ClosingLogic = "keep"
)

// Conversation is one thread with a contact.
type Conversation struct {
	ID         int64      `db:"id" json:"id"`
	ContactID  int64      `db:"contact_id" json:"contact_id"`
	Status     ConvStatus `db:"status" json:"status"`
	AssigneeID *int64     `db:"assignee_id" json:"assignee_id"`
	OpenedAt   time.Time  `db:"opened_at" json:"opened_at"`
	ClosedAt   *time.Time `db:"closed_at" json:"closed_at"`
}

// Direction says who wrote a message.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Mode is the form an outbound message takes on its channel.
type Mode string

// Send modes (PRODUCT.md §2).
const (
	// ModeFreeText is plain text inside the window (Messenger RESPONSE/UPDATE).
	ModeFreeText Mode = "free_text"
	// ModeHumanAgent is free text a person wrote, sent with Meta's HUMAN_AGENT tag
	// between 24 h and 7 d after the customer's last message.
	ModeHumanAgent Mode = "human_agent"
	// ModeMessageTag is a Messenger message carrying a non-promotional tag.
	ModeMessageTag Mode = "message_tag"
	// ModeTemplate is a pre-approved WhatsApp template.
	ModeTemplate Mode = "template"
	// ModeChatbot is a Viber chatbot-initiated (billable) message.
	ModeChatbot Mode = "chatbot"
)

// Tag is a Meta message tag.
type Tag string

// Message tags. HumanAgent is applied by the rules, never picked by agents.
const (
	TagHumanAgent           Tag = "HUMAN_AGENT"
	TagAccountUpdate        Tag = "ACCOUNT_UPDATE"
	TagConfirmedEventUpdate Tag = "CONFIRMED_EVENT_UPDATE"
	TagPostPurchaseUpdate   Tag = "POST_PURCHASE_UPDATE"
)

// AgentTags are the tags an agent may pick for Messenger after the window.
var AgentTags = []Tag{TagAccountUpdate, TagConfirmedEventUpdate, TagPostPurchaseUpdate}

// ParseTag validates an agent-picked tag.
func ParseTag(s string) (Tag, error) {
	for _, t := range AgentTags {
		if string(t) == s {
			return t, nil
		}
	}
	return "", Errorf(EInvalid, "unknown message tag %q (one of: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)", s)
}

// NotificationKind is what a notification to an agent is about: the
// follow-up workflow (and the reconciler) send them, the notifier words and
// routes them (a supervisor sees some kinds for VIP contacts).
type NotificationKind string

// Notification kinds.
const (
	NotifySent           NotificationKind = "sent"
	NotifyRefused        NotificationKind = "refused"
	NotifyReplied        NotificationKind = "replied"
	NotifyWindowClosing  NotificationKind = "window_closing"
	NotifyWindowClosed   NotificationKind = "window_closed"
	NotifyDeliveryFailed NotificationKind = "delivery_failed"
	NotifyUnconfirmed    NotificationKind = "unconfirmed"
	NotifyCancelled      NotificationKind = "cancelled"
	NotifyClosed         NotificationKind = "closed"
	NotifyScheduled      NotificationKind = "scheduled"
	NotifyFinished       NotificationKind = "finished"
	// NotifyDigest is the daily digest: to an agent, or with no agent to
	// the supervisors' channel.
	NotifyDigest NotificationKind = "digest"
	// NotifyEscalated is a VIP follow-up that needs a person, posted to
	// the supervisors' channel with buttons (take over, snooze, status).
	NotifyEscalated NotificationKind = "escalated"
	// NotifyTakenOver tells an agent a follow-up changed hands.
	NotifyTakenOver NotificationKind = "taken_over"
)

// MessageStatus is where a message is in its life.
type MessageStatus string

// Message states. Undeliverable messages are never silently dropped: they keep
// their reason and are shown to the agent.
const (
	// StatusPending: recorded, not at the provider (not yet tried, or
	// the provider refused the last try and it will be retried).
	StatusPending MessageStatus = "pending"
	// StatusSending: a try is in flight and may reach the provider.
	StatusSending MessageStatus = "sending"
	// StatusUnconfirmed: a try may have reached the provider, which
	// cannot tell a repeat from a new message, so it is not repeated;
	// the agent is told and may send again on purpose.
	StatusUnconfirmed   MessageStatus = "unconfirmed"
	StatusSent          MessageStatus = "sent"
	StatusDelivered     MessageStatus = "delivered"
	StatusRead          MessageStatus = "read"
	StatusFailed        MessageStatus = "failed"
	StatusUndeliverable MessageStatus = "undeliverable"
	StatusReceived      MessageStatus = "received"
)

// Message is one inbound or outbound message.
type Message struct {
	ID             int64         `db:"id" json:"id"`
	ContactID      int64         `db:"contact_id" json:"contact_id"`
	ConversationID *int64        `db:"conversation_id" json:"conversation_id"`
	AgentID        *int64        `db:"agent_id" json:"agent_id"`
	Direction      Direction     `db:"direction" json:"direction"`
	Channel        Channel       `db:"channel" json:"channel"`
	Mode           *Mode         `db:"mode" json:"mode"`
	Tag            *Tag          `db:"tag" json:"tag"`
	Template       *string       `db:"template" json:"template"`
	Body           string        `db:"body" json:"body"`
	Status         MessageStatus `db:"status" json:"status"`
	Reason         string        `db:"reason" json:"reason"`
	ProviderID     string        `db:"provider_id" json:"provider_id"`
	IdempotencyKey *string       `db:"idempotency_key" json:"idempotency_key"`
	CreatedAt      time.Time     `db:"created_at" json:"created_at"`
}

// TemplateStatus is a template's approval state at the provider.
type TemplateStatus string

// Template states.
const (
	TemplateApproved TemplateStatus = "approved"
	TemplatePending  TemplateStatus = "pending"
	TemplateRejected TemplateStatus = "rejected"
	TemplatePaused   TemplateStatus = "paused"
)

// ParseTemplateStatus validates a template status.
func ParseTemplateStatus(s string) (TemplateStatus, error) {
	switch TemplateStatus(s) {
	case TemplateApproved, TemplatePending, TemplateRejected, TemplatePaused:
		return TemplateStatus(s), nil
	}
	return "", Errorf(EInvalid, "unknown template status %q (approved, pending, rejected or paused)", s)
}

// Template is a provider-approved message template (WhatsApp).
type Template struct {
	ID         int64          `db:"id" json:"id"`
	Channel    Channel        `db:"channel" json:"channel"`
	Name       string         `db:"name" json:"name"`
	Language   string         `db:"language" json:"language"`
	Status     TemplateStatus `db:"status" json:"status"`
	ParamCount int            `db:"param_count" json:"param_count"`
	Body       string         `db:"body" json:"body"`
}

// Settings are the workspace's overridable numbers and switches (PRODUCT.md §2).
type Settings struct {
	ClosingLogic         ClosingLogic  `json:"closing_logic"`
	WeChatMessageLimit   int           `json:"wechat_message_limit"`
	ViberFreeAllowance   int           `json:"viber_free_allowance"`
	ViberCommercialTerms bool          `json:"viber_commercial_terms"`
	ReminderLead         time.Duration `json:"reminder_lead"`
	MessageTagsEnabled   bool          `json:"message_tags_enabled"`
	WhatsAppWindow       time.Duration `json:"whatsapp_window"`
	MessengerWindow      time.Duration `json:"messenger_window"`
	InstagramWindow      time.Duration `json:"instagram_window"`
	HumanAgentWindow     time.Duration `json:"human_agent_window"`
	ViberWindow          time.Duration `json:"viber_window"`
	WeChatWindow         time.Duration `json:"wechat_window"`
	// DefaultRegion is the ISO 3166 alpha-2 region ("GB", "US") a phone
	// number written without a country code is read in; "" refuses such
	// numbers (PRODUCT.md §3: phones are stored in E.164).
	DefaultRegion string `json:"default_region"`
	// ReengagementTemplate is the WhatsApp template ("NAME" or
	// "NAME:LANGUAGE", without parameters) a scheduled send falls back on
	// when the window closed before it was due and the agent named no
	// fallback; "" means none.
	ReengagementTemplate string `json:"reengagement_template"`
	// DigestTime is when the daily digest is posted ("09:00"), or
	// DigestOff; DigestTimeZone is the IANA zone it is read in, and the
	// zone the digest's "today" and "yesterday" are days of.
	DigestTime     string `json:"digest_time"`
	DigestTimeZone string `json:"digest_time_zone"`
	// VIPEscalateAfter is how long a VIP follow-up may need a person
	// with nobody acting before it is posted to the supervisors' channel;
	// 0 turns escalation off (also in state loaded before it existed).
	VIPEscalateAfter time.Duration `json:"vip_escalate_after"`
	// QuietHours is when scheduled sends wait, in the contact's time
	// zone: "21:00-08:00" (it may span midnight), or "" / QuietOff.
	QuietHours string `json:"quiet_hours"`
	// SupervisorLanguage is the language of the posts to the supervisors'
	// channel: "en" or "ru" (a channel has no locale of its own; each
	// agent's direct messages follow their Slack locale).
	SupervisorLanguage string `json:"supervisor_language"`
}

// QuietOff is the QuietHours that turns quiet hours off.
const QuietOff = "off"

// DigestOff is the DigestTime that turns the daily digest off.
const DigestOff = "off"

// Reengagement splits the ReengagementTemplate setting into the template's name and
// language ("" for the template's first).
func (s Settings) Reengagement() (name, language string) {
	name, language, _ = strings.Cut(s.ReengagementTemplate, ":")
	return name, language
}

// DefaultSettings are the rules as PRODUCT.md §2 states them.
func DefaultSettings() Settings {
	return Settings{
		ClosingLogic:         Unassign,
		WeChatMessageLimit:   20,
		ViberFreeAllowance:   10000,
		ViberCommercialTerms: false,
		ReminderLead:         time.Hour,
		MessageTagsEnabled:   true,
		WhatsAppWindow:       24 * time.Hour,
		MessengerWindow:      24 * time.Hour,
		InstagramWindow:      24 * time.Hour,
		HumanAgentWindow:     7 * 24 * time.Hour,
		ViberWindow:          24 * time.Hour,
		WeChatWindow:         48 * time.Hour,
		DefaultRegion:        "",
		DigestTime:           "09:00",
		DigestTimeZone:       "UTC",
		VIPEscalateAfter:     30 * time.Minute,
		QuietHours:           QuietOff,
		SupervisorLanguage:   "en",
	}
}

// ErrorCode is the kind of an Error.
type ErrorCode string

// Error kinds.
const (
	EInvalid      ErrorCode = "invalid"
	ENotFound     ErrorCode = "not_found"
	EConflict     ErrorCode = "conflict"
	ERefused      ErrorCode = "refused"
	EUnauthorized ErrorCode = "unauthorized"
	EInternal     ErrorCode = "internal"
	// EUnavailable: a dependency (the database, Temporal) did not answer;
	// the message says which and what was done.
	EUnavailable ErrorCode = "unavailable"
)

// Error is an error meant for the person using the product: Message is shown
// as is; the wrapped cause is for the log.
type Error struct {
	Code    ErrorCode
	Message string
	Err     error

	// format and args are what Errorf made Message of, so that a reader's
	// language can be printed instead (package i18n).
	format string
	args   []any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of the given kind. An argument that is an *Error
// is its Message: a message for a person within another.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	var shown []any
	for i, a := range args {
		if e, ok := a.(*Error); ok {
			if shown == nil {
				shown = slices.Clone(args)
			}
			shown[i] = e.Message
		}
	}
	if shown == nil {
		shown = args
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, shown...), format: format, args: args}
}

// Wrapf builds an Error of the given kind caused by err (for the log), as
// Errorf does.
func Wrapf(code ErrorCode, err error, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Err = err
	return e
}

// MessageFormat is the format and arguments Errorf made the message of,
// for a catalog to print it in another language; "" and nil for an Error
// built with its Message.
func (e *Error) MessageFormat() (format string, args []any) { return e.format, e.args }

// ErrorCodeOf returns the kind of the first *Error in err's chain, or EInternal.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the message meant for a person: the first *Error's
// Message, or a generic sentence for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side; nothing was changed. Please try again."
}

// SendErrorClass is how a provider's refusal of a message is handled.
type SendErrorClass string

// Send error classes (what the workflow does with them).
const (
	// Retryable: 429, 5xx, timeouts. Retried with backoff.
	Retryable SendErrorClass = "retryable"
	// WindowClosed: the provider says the window is closed (WhatsApp
	// 131047, Messenger 10/2018278, …). Never retried as free text.
	WindowClosed SendErrorClass = "window_closed"
	// RecipientGone: blocked, unsubscribed, deleted. The follow-up stops.
	RecipientGone SendErrorClass = "recipient_gone"
	// Permanent: bad template, invalid recipient. Not retried.
	Permanent SendErrorClass = "permanent"
)

// SendError is a provider's refusal of one message, classified.
type SendError struct {
	Class      SendErrorClass
	Code       string        // the provider's code, e.g. "131047"
	Message    string        // the provider's words, for the log and the agent
	RetryAfter time.Duration // from Retry-After, when the provider gave one
}

func (e *SendError) Error() string {
	return fmt.Sprintf("%s (%s %s)", e.Message, e.Class, e.Code)
}

// QuietUntil says whether t falls in the quiet hours (Settings.QuietHours,
// "HH:MM-HH:MM") read in loc, and if so when they end: the morning a
// scheduled send waits for. ok is false outside them, with quiet hours off
// or unreadable.
func QuietUntil(quiet string, t time.Time, loc *time.Location) (until time.Time, ok bool) {
	from, to, cut := strings.Cut(quiet, "-")
	a, err1 := time.Parse("15:04", from)
	b, err2 := time.Parse("15:04", to)
	if !cut || err1 != nil || err2 != nil || loc == nil {
		return time.Time{}, false
	}
	local := t.In(loc)
	day := func(d int, c time.Time) time.Time {
		return time.Date(local.Year(), local.Month(), local.Day()+d, c.Hour(), c.Minute(), 0, 0, loc)
	}
	for d := -1; d <= 0; d++ {
		start := day(d, a)
		end := day(d, b)
		if !end.After(start) {
			end = day(d+1, b)
		}
		if !local.Before(start) && local.Before(end) {
			return end, true
		}
	}
	return time.Time{}, false
}
