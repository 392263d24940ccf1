// Package bot is followup's Slack side: it parses the slash command agents
// type and verifies that HTTP requests really come from Slack. Everything here
// is pure; the table of commands (commands.go) and the handlers that act on
// a Command live beside it, and reach contacts and follow-ups through
// package actions only.
package bot

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
)

// Values of Command.Inbox and Command.Status for find.
const (
	InboxMine    = "mine"
	InboxAll     = "all"
	StatusClosed = "closed"
	StatusOpen   = "open"
	StatusAny    = "any"
)

// Limits on what an agent may type.
const (
	// MaxTextBytes caps a message's text; the bot refuses longer ones rather
	// than letting a provider cut them.
	MaxTextBytes = 4096
	// MaxCommandBytes caps the whole command, so nothing else grows unbounded.
	MaxCommandBytes = 16384
	// MaxLater is how far ahead `later` (and --at) may schedule a message.
	MaxLater = actions.MaxScheduleAhead
)

// Command is a parsed slash command. Only the fields of its Verb are set.
type Command struct {
	Verb Verb
	// Query is what find searches for (quotes removed, words joined by a space).
	Query string
	// Inbox is InboxMine or InboxAll (find; default InboxAll).
	Inbox string
	// Status is StatusClosed, StatusOpen or StatusAny (find; default StatusClosed).
	Status string
	// Contact is the contact as typed (email, phone in any format, #42 or 42,
	// or a name); resolving it is the caller's job.
	Contact string
	// Via is the channel asked for with --via, or empty to let the rules pick.
	Via followup.Channel
	// Tag is the Messenger message tag asked for with --tag, or empty.
	Tag followup.Tag
	// Template is the template name (template).
	Template string
	// Params are the template's name=value parameters in the order given.
	Params []TemplateParam
	// Text is the message as the agent wrote it (send, later).
	Text string
	// At is when a later message, or a template sent with --at, is due.
	At time.Time
	// ElseTemplate is the WhatsApp template a later message falls back on
	// when the window has closed by then (--else-template), and ElseParams
	// its parameters, numbered from 1, in order.
	ElseTemplate string   `json:",omitempty"`
	ElseParams   []string `json:",omitempty"`
	// ElseTag is the Messenger tag a later message falls back on (--else-tag).
	ElseTag followup.Tag `json:",omitempty"`
	// Cadence is the name of the cadence to start, as typed (cadence).
	Cadence string `json:",omitempty"`
	// RequestID, when set, makes running the command again harmless (a Pick
	// button pressed twice sends once); the parser leaves it empty.
	RequestID string `json:",omitempty"`
}

// TemplateParam is one name=value parameter of a template command.
type TemplateParam struct {
	Name  string
	Value string
}

type flagSpec struct {
	value  bool   // takes a value (--via whatsapp); otherwise a switch
	group  string // switches in one group exclude each other
	params bool   // the value is followed by its N=value parameters (--else-template renewal 1=Jane)
}

// invalid is the error every parse failure returns: one sentence for the
// agent followed by the usage line of the verb they were typing. format
// is a key of the catalog (package i18n): the agent reads both in their
// language.
func invalid(v Verb, format string, args ...any) error {
	return followup.Errorf(followup.EInvalid, usageFormat, i18n.Msg(format, args...),
		i18n.Func(func(p i18n.Printer) string { return usageIn(p, v) }))
}

// usageFormat puts a verb's usage line under a sentence.
const usageFormat = "%s\nUsage: %s"

// ParseCommand parses the text Slack sends after the slash command. now is
// the time the offsets of `later` and `--at` count from, and its location
// the zone their days and times (tomorrow 9:00) are read in. Empty text is the
// help command. Every error is a *followup.Error with Code EInvalid whose
// Message can be shown as is.
func ParseCommand(text string, now time.Time) (Command, error) {
	toks := tokenize(text)
	if len(toks) == 0 {
		return Command{Verb: VerbHelp}, nil
	}
	name := strings.ToLower(toks[0].val)
	switch name {
	case "--help", "-h", "?":
		name = string(VerbHelp)
	}
	v := Verb(name)
	if !v.Valid() {
		return Command{}, followup.Errorf(followup.EInvalid, "%q is not a %s command; these are:\n%s",
			truncate(toks[0].val, 40), commandName, i18n.Func(helpIn))
	}
	if v == VerbHelp {
		return Command{Verb: VerbHelp}, nil
	}
	if len(text) > MaxCommandBytes {
		return Command{}, invalid(v, "That command is too long (at most %d bytes).", MaxCommandBytes)
	}

	p := parser{verb: v, spec: specs[v], cmd: Command{Verb: v}, now: now}
	if err := p.scan(toks[1:]); err != nil {
		return Command{}, err
	}
	args := p.args
	if p.spec.contact {
		if err := p.contact(); err != nil {
			return Command{}, err
		}
		args = args[1:]
	}
	if err := p.spec.args(&p, args); err != nil {
		return Command{}, err
	}
	return p.cmd, nil
}

// parser holds one command's state while flags and positionals are sorted out.
type parser struct {
	verb   Verb
	spec   *command
	cmd    Command
	now    time.Time         // what --at counts from
	args   []token           // positional arguments, flags removed
	groups map[string]string // switch group -> switch given
	seen   map[string]string // value flag -> value given
}

// scan separates flags, which may appear anywhere after the verb, from
// positional arguments.
func (p *parser) scan(toks []token) error {
	for i := 0; i < len(toks); i++ {
		name, value, hasValue, ok := p.flag(toks[i])
		if !ok {
			p.args = append(p.args, toks[i])
			continue
		}
		fs, known := p.spec.flags[name]
		if !known {
			return p.unknownFlag(name, toks[i])
		}
		if !fs.value {
			if hasValue {
				return invalid(p.verb, "--%s takes no value.", name)
			}
			if p.groups == nil {
				p.groups = map[string]string{}
			}
			if prev, set := p.groups[fs.group]; set && prev != name {
				return invalid(p.verb, "Use only one of --%s and --%s.", prev, name)
			}
			p.groups[fs.group] = name
			continue
		}
		if !hasValue {
			if i+1 >= len(toks) {
				return p.missingValue(name)
			}
			if _, _, _, isFlag := p.flag(toks[i+1]); isFlag {
				return p.missingValue(name)
			}
			n := 1
			if name == "at" {
				n = p.whenWords(toks[i+1:])
			}
			value = joinVals(toks[i+1 : i+1+n])
			i += n
		}
		if err := p.setValue(name, strings.TrimSpace(value)); err != nil {
			return err
		}
		if fs.params {
			n, err := p.flagParams(name, toks[i+1:])
			if err != nil {
				return err
			}
			i += n
		}
	}
	return nil
}

// flagParams takes the N=value parameters that follow a flag's value
// (--else-template renewal 1=Jane 2="A-17") and returns how many words
// they were. Only unquoted words that start with a number and = are
// parameters, so the message may follow them: a quoted "1=x" is text.
func (p *parser) flagParams(flag string, toks []token) (int, error) {
	byNumber := map[int]string{}
	n := 0
	for ; n < len(toks); n++ {
		t := toks[n]
		key, value, ok := strings.Cut(t.val, "=")
		if t.quoted || !ok || key == "" || strings.Trim(key, "0123456789") != "" {
			break
		}
		num, err := strconv.Atoi(key)
		switch {
		case err != nil || num < 1 || num > 100:
			return 0, invalid(p.verb, "%q: parameters of --%s are numbered from 1, as 1=value 2=value.", truncate(t.val, 40), flag)
		case byNumber[num] != "":
			return 0, invalid(p.verb, "Parameter %d of --%s is given twice; give it once.", num, flag)
		case strings.TrimSpace(value) == "":
			return 0, invalid(p.verb, "Parameter %d of --%s has no value; write %d=value and quote a value with spaces: %d=\"Jane Doe\".", num, flag, num, num)
		}
		byNumber[num] = value
	}
	params := make([]string, 0, len(byNumber))
	for i := 1; i <= len(byNumber); i++ {
		v, ok := byNumber[i]
		if !ok {
			return 0, invalid(p.verb, "Parameters of --%s are numbered 1, 2, 3 … without gaps; %d is missing.", flag, i)
		}
		params = append(params, v)
	}
	if len(params) > 0 {
		p.cmd.ElseParams = append(p.cmd.ElseParams, params...)
	}
	return n, nil
}

// flag reports whether t is a flag and splits it into name and value. A
// quoted token is never a flag, which is how an agent sends "--like this".
// Words that only start with dashes ("--", "-x", "--50%") are text. Em and
// en dashes, which phones and macOS substitute for "--", count only before a
// flag this verb knows, so "—Jane" stays text.
func (p *parser) flag(t token) (name, value string, hasValue, ok bool) {
	if t.quoted {
		return "", "", false, false
	}
	s := t.val
	lenient := false
	switch {
	case strings.HasPrefix(s, "--"):
		s = s[2:]
	case strings.HasPrefix(s, "—"), strings.HasPrefix(s, "–"):
		_, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		lenient = true
	default:
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(s, "=")
	if !isFlagName(name) {
		return "", "", false, false
	}
	name = strings.ToLower(name)
	if _, known := p.spec.flags[name]; lenient && !known {
		return "", "", false, false
	}
	return name, value, hasValue, true
}

func isFlagName(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func (p *parser) unknownFlag(name string, t token) error {
	if len(p.spec.flags) == 0 {
		return invalid(p.verb, "%s takes no flags, and --%s is not one; to write it as text, quote it: \"%s\".", p.verb, truncate(name, 40), truncate(t.val, 40))
	}
	return invalid(p.verb, "--%s is not a flag of %s; to write it as text, quote it: \"%s\".", truncate(name, 40), p.verb, truncate(t.val, 40))
}

func (p *parser) missingValue(name string) error {
	switch name {
	case "via":
		return invalid(p.verb, "--via needs a channel, e.g. --via whatsapp.")
	case "tag", "else-tag":
		return invalid(p.verb, "--%s needs a message tag, e.g. --%s POST_PURCHASE_UPDATE.", name, name)
	case "else-template":
		return invalid(p.verb, "--else-template needs an approved WhatsApp template, e.g. --else-template renewal 1=Jane.")
	case "at":
		return invalid(p.verb, "--at needs a time: 30m, 4h, 3d, tomorrow 9:00, mon 10am or an RFC 3339 time such as 2026-07-01T09:00:00+02:00.")
	}
	return invalid(p.verb, "--%s needs a value.", name)
}

func (p *parser) setValue(name, value string) error {
	if value == "" {
		return p.missingValue(name)
	}
	if p.seen == nil {
		p.seen = map[string]string{}
	}
	if prev, set := p.seen[name]; set && prev != value {
		return invalid(p.verb, "--%s is given twice (%s and %s); give it once.", name, truncate(prev, 40), truncate(value, 40))
	}
	p.seen[name] = value
	switch name {
	case "via":
		c, err := followup.ParseChannel(strings.ToLower(value))
		if err != nil {
			return invalid(p.verb, "%q is not a channel; use one of %s.", truncate(value, 40), channelList())
		}
		p.cmd.Via = c
	case "tag", "else-tag":
		up := strings.ToUpper(strings.ReplaceAll(value, "-", "_"))
		if followup.Tag(up) == followup.TagHumanAgent {
			return invalid(p.verb, "HUMAN_AGENT is applied automatically within 7 days of the customer's last message; pick one of %s.", tagList())
		}
		t, err := followup.ParseTag(up)
		if err != nil {
			return invalid(p.verb, "%q is not a message tag; use one of %s.", truncate(value, 40), tagList())
		}
		if name == "tag" {
			p.cmd.Tag = t
		} else {
			p.cmd.ElseTag = t
		}
	case "else-template":
		if !templateName(value) {
			return invalid(p.verb, "%q is not a template name; name an approved WhatsApp template, e.g. --else-template renewal.", truncate(value, 40))
		}
		p.cmd.ElseTemplate = value
	case "at":
		at, err := p.when(value)
		if err != nil {
			return err
		}
		p.cmd.At = at
	}
	return nil
}

// templateName reports whether s can name a template: letters, digits,
// _, - and . (as templates are added), so that a message word is not
// taken for one.
func templateName(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// The positional arguments of each verb, after its contact when it takes
// one (the table of commands names which function reads which verb's).

func (p *parser) findArgs(args []token) error {
	p.cmd.Inbox, p.cmd.Status = InboxAll, StatusClosed
	if g, ok := p.groups["inbox"]; ok {
		p.cmd.Inbox = g
	}
	if g, ok := p.groups["status"]; ok {
		p.cmd.Status = g
	}
	vals := make([]string, 0, len(args))
	for _, a := range args {
		if s := strings.TrimSpace(a.val); s != "" {
			vals = append(vals, s)
		}
	}
	p.cmd.Query = strings.Join(vals, " ")
	if p.cmd.Query == "" {
		return invalid(p.verb, "Say what to find: a name, email, phone number or contact id.")
	}
	return nil
}

func (p *parser) noArgs(args []token) error {
	if len(args) > 0 {
		return invalid(p.verb, "%s takes no arguments.", p.verb)
	}
	return nil
}

func (p *parser) contactOnly(rest []token) error {
	if len(rest) > 0 {
		return invalid(p.verb, "%s takes one contact; quote a name with spaces, e.g. %s \"Jane Doe\".", p.verb, p.verb)
	}
	return nil
}

func (p *parser) laterArgs(rest []token) error {
	if len(rest) == 0 {
		return invalid(p.verb, "Say when to send it: 30m, 4h, 3d, tomorrow 9:00, mon 10am or an RFC 3339 time such as 2026-07-01T09:00:00+02:00.")
	}
	n := p.whenWords(rest)
	at, err := p.when(joinVals(rest[:n]))
	if err != nil {
		return err
	}
	p.cmd.At = at
	if err := p.fallback(); err != nil {
		return err
	}
	return p.text(rest[n:])
}

func (p *parser) cadenceArgs(rest []token) error {
	if len(rest) == 0 || strings.TrimSpace(rest[0].val) == "" {
		return invalid(p.verb, "Name the cadence to start after the contact, e.g. renewal; %s cadences lists them.", commandName)
	}
	if len(rest) > 1 {
		return invalid(p.verb, "cadence takes a contact and a cadence name; quote a name with spaces, e.g. cadence \"Jane Doe\" renewal.")
	}
	p.cmd.Cadence = strings.TrimSpace(rest[0].val)
	return nil
}

func (p *parser) templateArgs(rest []token) error {
	if len(rest) == 0 || strings.TrimSpace(rest[0].val) == "" {
		return invalid(p.verb, "Name the template to send after the contact, e.g. order_update.")
	}
	p.cmd.Template = strings.TrimSpace(rest[0].val)
	return p.params(rest[1:])
}

// fallback checks a later message's fallback against its channel: a
// template is WhatsApp's, a tag Messenger's, and a message has one.
func (p *parser) fallback() error {
	c := &p.cmd
	if len(c.ElseParams) > 0 && c.ElseTemplate == "" {
		return invalid(p.verb, "Template parameters need --else-template before them: --else-template renewal 1=Jane.")
	}
	switch {
	case c.ElseTemplate != "" && c.ElseTag != "":
		return invalid(p.verb, "Give one fallback: --else-template (a WhatsApp template) or --else-tag (a Messenger tag).")
	case c.ElseTemplate != "" && c.Via != "" && c.Via != followup.WhatsApp:
		return invalid(p.verb, "--else-template names a WhatsApp template; %s has no templates, so drop --else-template or use --via whatsapp.", c.Via.Title())
	case c.ElseTag != "" && c.Via != "" && c.Via != followup.Messenger:
		return invalid(p.verb, "--else-tag names a Messenger tag; %s takes none, so drop --else-tag or use --via messenger.", c.Via.Title())
	}
	return nil
}

func (p *parser) contact() error {
	if len(p.args) == 0 || strings.TrimSpace(p.args[0].val) == "" {
		return invalid(p.verb, "Say which contact: an email, phone number, contact id (#42) or name.")
	}
	p.cmd.Contact = strings.TrimSpace(p.args[0].val)
	return nil
}

// text joins the words as the agent typed them, quotes included, so a message
// like `Your "premium" plan` reaches the customer intact. Only a text that is
// one quoted span loses its quotes: `send 42 "Hello there"` sends Hello there.
func (p *parser) text(toks []token) error {
	var s string
	if len(toks) == 1 && toks[0].quoted {
		s = toks[0].val
	} else {
		raws := make([]string, len(toks))
		for i, t := range toks {
			raws[i] = t.raw
		}
		s = strings.Join(raws, " ")
	}
	if strings.TrimSpace(s) == "" {
		return invalid(p.verb, "Add the message text after the contact.")
	}
	if len(s) > MaxTextBytes {
		return invalid(p.verb, "The message is %d bytes; the limit is %d.", len(s), MaxTextBytes)
	}
	p.cmd.Text = s
	return nil
}

// whenWords says how many of the words toks starts with make the time to
// send (actions.WhenSpan): a day and time is written in two or three
// (tomorrow 9:00, mon at 10am), anything else in one. Only unquoted words
// join, so a quoted message keeps its words.
func (p *parser) whenWords(toks []token) int {
	var words []string
	for _, t := range toks[:min(3, len(toks))] {
		if t.quoted {
			break
		}
		words = append(words, t.val)
	}
	if len(words) < 2 {
		return 1
	}
	return actions.WhenSpan(words, p.now)
}

// joinVals joins the words' values with a space.
func joinVals(toks []token) string {
	vals := make([]string, len(toks))
	for i, t := range toks {
		vals[i] = t.val
	}
	return strings.Join(vals, " ")
}

// when reads a time to send with actions.ParseWhen and words a refusal
// as a sentence of the slash command: it names what schedules (later or
// --at), and says a delay that is not ahead as the command always has.
func (p *parser) when(s string) (time.Time, error) {
	at, err := actions.ParseWhen(s, p.now)
	var we *actions.WhenError
	if !errors.As(err, &we) {
		return at, err
	}
	in := truncate(we.Input, 40)
	switch {
	case we.Problem == actions.WhenTooFar:
		what := "later"
		if p.verb != VerbLater {
			what = "--at"
		}
		return at, invalid(p.verb, "%q is too far ahead; %s schedules at most %d days ahead.", in, what, int(MaxLater.Hours()/24))
	case we.Problem == actions.WhenNow:
		return at, invalid(p.verb, "%q is not in the future; use e.g. 30m, 4h or 3d.", in)
	case we.Problem == actions.WhenPast && strings.HasPrefix(in, "-"):
		return at, invalid(p.verb, "%q is not a time in the future; use e.g. 30m, 4h or 3d.", in)
	}
	format, args := we.MessageFormat()
	return at, invalid(p.verb, "%s.", i18n.Msg(format, args...))
}

func (p *parser) params(toks []token) error {
	seen := map[string]bool{}
	for _, t := range toks {
		name, value, ok := strings.Cut(t.val, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			return invalid(p.verb, "%q is not a parameter; write parameters as name=value and quote values with spaces: name=\"Jane Doe\".", truncate(t.val, 40))
		case name == "":
			return invalid(p.verb, "%q has no parameter name before the =.", truncate(t.val, 40))
		case value == "":
			return invalid(p.verb, "Parameter %s has no value; write %s=value.", truncate(name, 40), truncate(name, 40))
		case seen[name]:
			return invalid(p.verb, "Parameter %s is given twice; give it once.", truncate(name, 40))
		}
		seen[name] = true
		p.cmd.Params = append(p.cmd.Params, TemplateParam{Name: name, Value: value})
	}
	return nil
}

func channelList() string {
	names := make([]string, len(followup.Channels))
	for i, c := range followup.Channels {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

func tagList() string {
	names := make([]string, len(followup.AgentTags))
	for i, t := range followup.AgentTags {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// truncate keeps echoed user input short enough to read in an error.
func truncate(s string, n int) string { return followup.Clip(s, n) }

// token is one word of the command: val with quotes removed, raw as typed.
type token struct {
	val    string
	raw    string
	quoted bool // the whole word was one quoted span
}

// quotes maps each opening quote to the quotes that close it. Phones and
// macOS turn straight quotes into smart ones, sometimes mismatched, so each
// smart opener accepts either of its pair.
var quotes = map[rune]string{
	'"':  `"`,
	'\'': `'`,
	'“':  `”“`,
	'”':  `”`,
	'‘':  `’‘`,
	'’':  `’`,
}

// tokenize splits s into words at whitespace, grouping quoted spans. A quote
// opens only at the start of a word or right after '=' (name="Jane Doe") and
// closes only before whitespace or the end, so apostrophes (don't, O'Brien,
// don’t) are ordinary letters. An opening quote with no closer is literal.
func tokenize(s string) []token {
	var toks []token
	// noCloser records openers already known to have no closer in the rest
	// of s; it keeps tokenizing linear on inputs full of stray quotes.
	noCloser := map[rune]bool{}
	i := 0
	for {
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i >= len(s) {
			return toks
		}
		start := i
		var b strings.Builder
		quoted := false
		prev := rune(-1)
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				break
			}
			if closers, ok := quotes[r]; ok && (i == start || prev == '=') && !noCloser[r] {
				if end, endN := findCloser(s, i+n, closers); end >= 0 {
					b.WriteString(s[i+n : end])
					quoted = i == start
					i = end + endN
					break // a closer is always followed by whitespace or the end
				}
				noCloser[r] = true
			}
			b.WriteString(s[i : i+n])
			prev = r
			i += n
		}
		toks = append(toks, token{val: b.String(), raw: s[start:i], quoted: quoted})
	}
}

// findCloser returns the index and width of the first rune of closers at or
// after from that is followed by whitespace or the end of s, or -1.
func findCloser(s string, from int, closers string) (int, int) {
	for i := from; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if strings.ContainsRune(closers, r) {
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			if i+n == len(s) || unicode.IsSpace(next) {
				return i, n
			}
		}
		i += n
	}
	return -1, 0
}
