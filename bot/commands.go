package bot

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
)

// Verb is a slash-command subcommand (PRODUCT.md §5).
type Verb string

// The verbs of PRODUCT.md §5.
const (
	VerbHelp     Verb = "help"
	VerbFind     Verb = "find"
	VerbSend     Verb = "send"
	VerbTemplate Verb = "template"
	VerbLater    Verb = "later"
	VerbCadence  Verb = "cadence"
	VerbCadences Verb = "cadences"
	VerbStatus   Verb = "status"
	VerbCancel   Verb = "cancel"
	VerbClose    Verb = "close"
	VerbVIP      Verb = "vip"
	VerbTakeOver Verb = "takeover"
	VerbSnooze   Verb = "snooze"
)

// command is one row of the table of slash commands: how it is written,
// how it is answered, how its arguments are read and what carries it
// out. The help, the usage lines, the CLI's summaries, the dispatch and
// the Pick buttons all read the table: adding a command is its verb and
// a row here, and its handler (plus a reader of its arguments beside
// the others in command.go when none fits, with the fields it sets in
// Command).
type command struct {
	verb     Verb
	synopsis string // after the command name; the same in every language
	note     string // after the synopsis, in the help and the usage line
	// summary says what it does in one line; the CLI's command of the
	// same name shows it too (Summary). The note and the summary are
	// English, and keys of the catalog (package i18n).
	summary string
	flags   map[string]flagSpec
	// contact: the first argument is a contact (an ambiguous one is
	// answered with Pick buttons, which run the command again).
	contact bool
	// args reads the positional arguments (after the contact).
	args   func(p *parser, args []token) error
	answer answer
	run    func(b *Bot, ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg
}

// answer is how the bot answers a command.
type answer int

const (
	// answerRead: a read, answered inline when it takes under AckWithin,
	// else acknowledged and answered through response_url.
	answerRead answer = iota
	// answerNow: answered at once, from nothing but the command (help).
	answerNow
	// answerDurable: the command starts or changes follow-ups. It is
	// recorded, then acknowledged at once, carried out once (after a
	// crash too), and answered through response_url.
	answerDurable
)

// commands is the table of slash commands, in the order help lists them.
var commands = []command{
	{verb: VerbHelp, synopsis: "help", summary: "List the commands",
		args: (*parser).noArgs, answer: answerNow, run: (*Bot).help},
	{verb: VerbFind, synopsis: "find <query> [--mine|--all] [--closed|--open|--any]", note: "defaults: --all --closed",
		summary: "Find contacts by name, email or phone (closed conversations by default)",
		flags: map[string]flagSpec{
			InboxMine: {group: "inbox"}, InboxAll: {group: "inbox"},
			StatusClosed: {group: "status"}, StatusOpen: {group: "status"}, StatusAny: {group: "status"},
		},
		args: (*parser).findArgs, answer: answerRead, run: (*Bot).runFind},
	{verb: VerbSend, synopsis: "send <contact> [--via <channel>] [--tag <TAG>] <text>",
		summary: "Send a follow-up now, in the form the channel allows (or get the reason it refuses)",
		flags:   map[string]flagSpec{"via": {value: true}, "tag": {value: true}},
		contact: true, args: (*parser).text, answer: answerDurable, run: (*Bot).send},
	{verb: VerbTemplate, synopsis: "template <contact> <template> [name=value ...] [--via <channel>] [--at <when>]",
		summary: "Send an approved template (what WhatsApp allows after its 24-hour window), now or --at a later time",
		flags:   map[string]flagSpec{"via": {value: true}, "at": {value: true}},
		contact: true, args: (*parser).templateArgs, answer: answerDurable, run: (*Bot).send},
	{verb: VerbLater, synopsis: "later <contact> <when> <text> [--else-template <template> [1=value ...]] [--else-tag <TAG>] [--via <channel>]",
		note:    whenNote,
		summary: "Schedule a follow-up (when: " + actions.WhenForms + "); a reply before then cancels it",
		flags: map[string]flagSpec{"via": {value: true}, "else-template": {value: true, params: true},
			"else-tag": {value: true}},
		contact: true, args: (*parser).laterArgs, answer: answerDurable, run: (*Bot).send},
	{verb: VerbCadence, synopsis: "cadence <contact> <cadence> [--via <channel>]",
		summary: "Start a cadence on a contact; a reply from the customer stops the rest",
		flags:   map[string]flagSpec{"via": {value: true}},
		contact: true, args: (*parser).cadenceArgs, answer: answerDurable, run: (*Bot).startCadence},
	{verb: VerbCadences, synopsis: "cadences", note: "the cadences defined, with their steps",
		summary: "List the cadences, with their steps",
		args:    (*parser).noArgs, answer: answerRead, run: (*Bot).listCadences},
	{verb: VerbStatus, synopsis: "status <contact>",
		summary: "Show a contact's running follow-ups: window, counts, scheduled sends, attempts",
		contact: true, args: (*parser).contactOnly, answer: answerRead, run: (*Bot).status},
	{verb: VerbCancel, synopsis: "cancel <contact>",
		summary: "Cancel a contact's running follow-ups and their scheduled sends",
		contact: true, args: (*parser).contactOnly, answer: answerDurable, run: (*Bot).cancel},
	{verb: VerbClose, synopsis: "close <contact>",
		summary: "Close the contact's conversation (closing logic applied) and end its follow-ups",
		contact: true, args: (*parser).contactOnly, answer: answerDurable, run: (*Bot).close},
	{verb: VerbVIP, synopsis: "vip", note: "supervisors: running VIP follow-ups",
		summary: "Supervisors: the running VIP follow-ups, overdue first",
		args:    (*parser).noArgs, answer: answerRead, run: (*Bot).vip},
	{verb: VerbTakeOver, synopsis: "takeover <contact> [--via <channel>]", note: "supervisors: become its agent",
		summary: "Supervisors: take a contact's follow-up over; you become its agent and the conversation's assignee",
		flags:   map[string]flagSpec{"via": {value: true}},
		contact: true, args: (*parser).contactOnly, answer: answerDurable, run: (*Bot).takeOver},
	{verb: VerbSnooze, synopsis: "snooze <contact> <when> [--via <channel>]", note: "supervisors: put off an escalation",
		summary: "Supervisors: put off a VIP follow-up's escalation; if it still needs a person then, it is posted again",
		flags:   map[string]flagSpec{"via": {value: true}},
		contact: true, args: (*parser).snoozeArgs, answer: answerDurable, run: (*Bot).snooze},
}

// helpFooter follows the commands in the help text.
const helpFooter = `<contact> is an email, a phone number, a contact id (#42) or a name; quote names with spaces: "Jane Doe".
A later message falls back on --else-template (WhatsApp) or --else-tag (Messenger) if the window has closed by then.`

// Verbs lists every verb in the order the help text shows them, and
// specs finds a verb's row. They are made from commands by init: the
// handlers in the table refer back to them, which Go does not allow in a
// variable's initializer.
var (
	Verbs []Verb
	specs map[Verb]*command
)

func init() {
	specs = make(map[Verb]*command, len(commands))
	for i := range commands {
		c := &commands[i]
		Verbs = append(Verbs, c.verb)
		specs[c.verb] = c
	}
}

// helpIn is the help in p's language.
func helpIn(p i18n.Printer) string {
	lines := make([]string, 0, len(Verbs)+1)
	for _, v := range Verbs { // the table, in order (commands refers to this)
		c := specs[v]
		lines = append(lines, helpLine(commandName+" "+c.synopsis, p.Text(c.note)))
	}
	return strings.Join(append(lines, p.Text(helpFooter)), "\n")
}

// helpLine is a command's line in the help: its note in a column after
// the synopsis, or under a long one.
func helpLine(synopsis, note string) string {
	const column = 47
	switch {
	case note == "":
		return synopsis
	case len(synopsis) < column-1:
		return synopsis + strings.Repeat(" ", column-len(synopsis)) + note
	case len(synopsis)+5+utf8.RuneCountInString(note) <= 100:
		return synopsis + "     " + note
	}
	return synopsis + "\n" + strings.Repeat(" ", column) + note
}

const commandName = "/followup"

// Valid reports whether v is one of Verbs.
func (v Verb) Valid() bool {
	_, ok := specs[v]
	return ok
}

// Changes reports whether the verb starts or changes follow-ups: such a
// command is recorded before it is acknowledged (durable), and carried
// out once.
func (v Verb) Changes() bool { return v.Valid() && specs[v].answer == answerDurable }

// Help is the usage of every verb, for `/followup help` and for unknown
// verbs, in English (an agent reads it in their language).
func Help() string { return helpIn(i18n.Printer{}) }

// Usage is the one-line usage of v, or Help() if v is not a verb, in
// English. A synopsis with <when> says how to write it.
func Usage(v Verb) string { return usageIn(i18n.Printer{}, v) }

// whenNote says how a time to send is written, after a synopsis.
const whenNote = "when: " + actions.WhenForms

// usageIn is Usage in p's language.
func usageIn(p i18n.Printer, v Verb) string {
	c, ok := specs[v]
	if !ok {
		return helpIn(p)
	}
	u := commandName + " " + c.synopsis
	note := c.note
	if note == "" && strings.Contains(c.synopsis, "<when>") {
		note = whenNote
	}
	if note != "" {
		u += "  (" + p.Text(note) + ")"
	}
	return u
}

// Summary says in one line, in p's language, what the verb does ("" if v
// is not a verb), for the CLI's help of its command of the same name.
func Summary(p i18n.Printer, v Verb) string {
	if c, ok := specs[v]; ok {
		return p.Text(c.summary)
	}
	return ""
}
