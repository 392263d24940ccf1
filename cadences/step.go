package cadences

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/followup-dev/followup"
)

// The forms errors show, so that every message says what is expected.
const (
	formStep     = `2d text "…" else template renewal`
	formOffset   = "2d, 36h or 1d12h"
	formTouch    = `text "…", template NAME [1=value …] or tag TAG "…"`
	formFallback = "else template NAME [1=value …] or else tag TAG"
	formParams   = `1=value 2=value (quote a value with spaces: 1="Jane Doe")`
)

// The forms that have words in them ("or"), as Phrases, so that an error
// shows them in its reader's language.
var (
	sayOffset   = followup.Say(formOffset)
	sayTouch    = followup.Say(formTouch)
	sayFallback = followup.Say(formFallback)
	sayParams   = followup.Say(formParams)
)

// ParseStep reads one step of a cadence:
//
//	OFFSET TOUCH [else FALLBACK]
//
// OFFSET is whole days, hours and minutes after the cadence starts (not
// after the previous step), largest unit first: 2d, 36h, 1d12h, 90m.
// TOUCH is text "…", template NAME [1=value …] or tag TAG "…", where TAG
// is ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE or POST_PURCHASE_UPDATE (any
// case). FALLBACK, for a text or tag step only, is template NAME
// [1=value …] or, for a text step, tag TAG (the step's text sent with the
// tag). A message is in double quotes, with \" and \\ for a quote and a
// backslash inside it; the curly quotes Slack substitutes (“…”) are read
// as straight ones. A template parameter's value may be quoted the same
// way: 1="Jane Doe".
func ParseStep(s string) (Step, error) {
	st, err := parseStep(s)
	if err == nil {
		err = st.check()
	}
	if err != nil {
		return Step{}, followup.Errorf(followup.EInvalid, "%s: %v", echo(strings.TrimSpace(s), 60), err)
	}
	return st, nil
}

func parseStep(s string) (Step, error) {
	if !utf8.ValidString(s) {
		return Step{}, followup.Errorf(followup.EInvalid, "the step is not valid UTF-8 text")
	}
	toks, err := tokenize(s)
	if err != nil {
		return Step{}, err
	}
	if len(toks) == 0 {
		return Step{}, followup.Errorf(followup.EInvalid, "the step is empty; write one like %s", formStep)
	}
	p := &parser{toks: toks}
	var st Step
	off := p.next()
	if st.After, err = parseOffset(off); err != nil {
		return Step{}, err
	}
	word := p.peek().raw
	touch, _ := p.keyword()
	switch {
	case word == "":
		return Step{}, followup.Errorf(followup.EInvalid, "say what to send %s after the start: %s", off.raw, sayTouch)
	case touch == "text":
		if st.Text, err = p.message(followup.Say(`text "Your plan renews soon"`)); err != nil {
			return Step{}, err
		}
	case touch == "template":
		if st.Template, err = p.template(); err != nil {
			return Step{}, err
		}
	case touch == "tag":
		if st.Tag, err = p.tag(followup.Say(`tag ACCOUNT_UPDATE "Your plan renews soon"`)); err != nil {
			return Step{}, err
		}
		if st.Text, err = p.message(followup.Say(`tag %s "Your plan renews soon"`, string(st.Tag))); err != nil {
			return Step{}, err
		}
	default:
		return Step{}, followup.Errorf(followup.EInvalid, "%s is not a touch; write %s", echo(word, 40), sayTouch)
	}
	if p.done() {
		return st, nil
	}
	if word = p.peek().raw; p.peekKeyword() != "else" {
		switch {
		case st.Template != nil:
			return Step{}, followup.Errorf(followup.EInvalid, "unexpected %s after the template; only %s may follow", echo(word, 40), sayFallback)
		case st.Tag != "":
			return Step{}, followup.Errorf(followup.EInvalid, "unexpected %s after the tag's message; only %s may follow", echo(word, 40), sayFallback)
		}
		return Step{}, followup.Errorf(followup.EInvalid, "unexpected %s after the message; only %s may follow", echo(word, 40), sayFallback)
	}
	p.i++
	if st.Template != nil {
		return Step{}, followup.Errorf(followup.EInvalid, "a template step takes no else: only a text or tag step falls back, on a template or a tag")
	}
	word = p.peek().raw
	fallback, _ := p.keyword()
	switch {
	case word == "":
		return Step{}, followup.Errorf(followup.EInvalid, "else needs a fallback: %s", sayFallback)
	case fallback == "template":
		t, err := p.template()
		if err != nil {
			return Step{}, err
		}
		st.Else = &Else{Template: t}
	case fallback == "tag":
		if st.Tag != "" {
			return Step{}, followup.Errorf(followup.EInvalid, "a tag step already carries a tag; its fallback can only be else template NAME [1=value …]")
		}
		tag, err := p.tag("else tag ACCOUNT_UPDATE")
		if err != nil {
			return Step{}, err
		}
		st.Else = &Else{Tag: tag}
	default:
		return Step{}, followup.Errorf(followup.EInvalid, "%s after else is not a fallback; write %s", echo(word, 40), sayFallback)
	}
	if !p.done() {
		return Step{}, followup.Errorf(followup.EInvalid, "unexpected %s at the end of the step; a step has one fallback at most", echo(p.peek().raw, 40))
	}
	return st, nil
}

// parseOffset reads 2d, 36h, 1d12h30m, 90m: whole numbers of days, hours
// and minutes, each unit at most once, largest first.
func parseOffset(t token) (time.Duration, error) {
	bad := followup.Errorf(followup.EInvalid, "%s is not an offset like %s", echo(t.raw, 40), sayOffset)
	if t.quoted {
		return 0, bad
	}
	units := []struct {
		letter byte
		d      time.Duration
	}{{'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}}
	s := t.val
	var total time.Duration
	tooFar := false
	next := 0 // the first unit still allowed
	for i := 0; i < len(s); {
		j := i
		n := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			n = min(n*10+int(s[j]-'0'), 1<<30) // saturates: anything this large is too far
			j++
		}
		if j == i || j == len(s) {
			return 0, bad
		}
		k := next
		for k < len(units) && units[k].letter != s[j]|0x20 {
			k++
		}
		if k == len(units) {
			return 0, bad
		}
		if time.Duration(n) > MaxAfter/units[k].d {
			tooFar = true
		} else {
			total += time.Duration(n) * units[k].d
		}
		next, i = k+1, j+1
	}
	if tooFar || total > MaxAfter {
		return 0, followup.Errorf(followup.EInvalid, "%s is more than %d days after the start; a cadence spans at most %d days", followup.Clip(t.raw, 40), MaxAfter/(24*time.Hour), MaxAfter/(24*time.Hour))
	}
	return total, nil
}

// Offset prints a step's offset in the form ParseStep reads, largest unit
// first: 2d, 1d12h, 1h30m.
func Offset(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	var b strings.Builder
	for _, u := range []struct {
		letter string
		d      time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}} {
		if n := d / u.d; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.letter)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return "0m"
	}
	return b.String()
}

// check says what makes a step one the workflow cannot send, however it
// was built (parsed, or read back from the database).
func (s Step) check() error {
	days := int(MaxAfter / (24 * time.Hour))
	switch {
	case s.After < time.Minute:
		return followup.Errorf(followup.EInvalid, "a step comes at least 1m after the cadence starts")
	case s.After > MaxAfter:
		return followup.Errorf(followup.EInvalid, "%s is more than %d days after the start; a cadence spans at most %d days", Offset(s.After), days, days)
	case s.After%time.Minute != 0:
		return followup.Errorf(followup.EInvalid, "%v is not a whole number of minutes", s.After)
	case s.Template != nil && (s.Text != "" || s.Tag != ""):
		return followup.Errorf(followup.EInvalid, "a step sends one thing: text, a template or a tag with its message")
	case s.Template == nil && s.Tag != "" && s.Text == "":
		return followup.Errorf(followup.EInvalid, "the tag needs its message: tag %s \"…\"", s.Tag)
	case s.Template == nil && s.Text == "":
		return followup.Errorf(followup.EInvalid, "nothing to send; write %s", sayTouch)
	}
	if s.Template != nil {
		if s.Else != nil {
			return followup.Errorf(followup.EInvalid, "a template step takes no else: only a text or tag step falls back, on a template or a tag")
		}
		return s.Template.check()
	}
	if err := checkText(s.Text); err != nil {
		return err
	}
	if s.Tag != "" {
		if err := checkTag(s.Tag); err != nil {
			return err
		}
	}
	if s.Else == nil {
		return nil
	}
	switch {
	case (s.Else.Template == nil) == (s.Else.Tag == ""):
		return followup.Errorf(followup.EInvalid, "a fallback is one of %s", sayFallback)
	case s.Else.Template != nil:
		return s.Else.Template.check()
	case s.Tag != "":
		return followup.Errorf(followup.EInvalid, "a tag step already carries a tag; its fallback can only be else template NAME [1=value …]")
	}
	return checkTag(s.Else.Tag)
}

func checkText(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return followup.Errorf(followup.EInvalid, "the message is empty")
	case len(s) > MaxTextBytes:
		return followup.Errorf(followup.EInvalid, "the message is %d bytes; the limit is %d", len(s), MaxTextBytes)
	case !utf8.ValidString(s):
		return followup.Errorf(followup.EInvalid, "the message is not valid UTF-8 text")
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return followup.Errorf(followup.EInvalid, "the message contains the control character %U; only line breaks and tabs may be in it", r)
		}
	}
	return nil
}

func checkTag(t followup.Tag) error {
	if _, err := followup.ParseTag(string(t)); err != nil {
		return followup.Errorf(followup.EInvalid, "%s is not a message tag (one of %s)", echo(string(t), 40), tagList())
	}
	return nil
}

func tagList() string {
	names := make([]string, len(followup.AgentTags))
	for i, t := range followup.AgentTags {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// check says what is wrong with a template's name or parameters.
func (t *Template) check() error {
	if !validTemplateName(t.Name) {
		return followup.Errorf(followup.EInvalid, "%s is not a template name (letters, digits, _, - and ., as the template was added)", echo(t.Name, 40))
	}
	for i, p := range t.Params {
		switch {
		case strings.TrimSpace(p) == "":
			return followup.Errorf(followup.EInvalid, "template parameter %d is empty", i+1)
		case !utf8.ValidString(p):
			return followup.Errorf(followup.EInvalid, "template parameter %d is not valid UTF-8 text", i+1)
		}
		for _, r := range p {
			if unicode.IsControl(r) {
				return followup.Errorf(followup.EInvalid, "template parameter %d contains the character %U; a parameter is one line", i+1, r)
			}
		}
	}
	return nil
}

func validTemplateName(s string) bool {
	if s == "" || len(s) > 512 || strings.EqualFold(s, "else") {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' || ch == '.') {
			return false
		}
	}
	return true
}

// String prints the step in the canonical form ParseStep reads back to
// the same Step: the offset largest unit first, keywords in lower case,
// messages in straight double quotes.
func (s Step) String() string {
	return Offset(s.After) + " " + s.Touch()
}

// Touch prints the step without its offset: what it sends and what
// instead, as in String.
func (s Step) Touch() string {
	var b strings.Builder
	switch {
	case s.Template != nil:
		b.WriteString("template " + s.Template.String())
	case s.Tag != "":
		b.WriteString("tag " + string(s.Tag) + " " + quote(s.Text))
	default:
		b.WriteString("text " + quote(s.Text))
	}
	if s.Else != nil {
		switch {
		case s.Else.Template != nil:
			b.WriteString(" else template " + s.Else.Template.String())
		case s.Else.Tag != "":
			b.WriteString(" else tag " + string(s.Else.Tag))
		}
	}
	return b.String()
}

// String prints the template as a step names it: NAME 1=value 2="two words".
func (t *Template) String() string {
	var b strings.Builder
	b.WriteString(t.Name)
	for i, p := range t.Params {
		b.WriteString(" " + strconv.Itoa(i+1) + "=")
		if p == "" || strings.ContainsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || isQuote(r) || r == '\\' }) {
			b.WriteString(quote(p))
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}

// quote puts s in straight double quotes, escaping the quotes and
// backslashes in it.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// echo quotes input for an error, short enough to read: in "…", or in
// “…” when it has straight quotes of its own.
func echo(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, followup.Clip(s, n))
	if strings.Contains(s, `"`) {
		return "“" + s + "”"
	}
	return `"` + s + `"`
}

// parser walks a step's words.
type parser struct {
	toks []token
	i    int
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) peek() token {
	if p.done() {
		return token{}
	}
	return p.toks[p.i]
}

func (p *parser) next() token {
	t := p.peek()
	p.i++
	return t
}

// peekKeyword is the next word in lower case if it is one of the
// grammar's words, else "".
func (p *parser) peekKeyword() string {
	t := p.peek()
	if p.done() || t.quoted {
		return ""
	}
	for _, kw := range []string{"text", "template", "tag", "else"} {
		if strings.EqualFold(t.val, kw) {
			return kw
		}
	}
	return ""
}

// keyword takes the next word if it is one of the grammar's words, and
// returns it in lower case.
func (p *parser) keyword() (string, bool) {
	kw := p.peekKeyword()
	if kw != "" {
		p.i++
	}
	return kw, kw != ""
}

// message takes a quoted message; example shows the form.
func (p *parser) message(example followup.Phrase) (string, error) {
	if p.done() {
		return "", followup.Errorf(followup.EInvalid, "the message is missing; write it in double quotes: %s", example)
	}
	t := p.peek()
	if !t.quoted {
		return "", followup.Errorf(followup.EInvalid, "the message must be in double quotes: %s (write \\\" for a quote inside it)", example)
	}
	p.i++
	if err := checkText(t.val); err != nil {
		return "", err
	}
	return t.val, nil
}

// tag takes a message tag; example shows the form (a string, or a
// Phrase when it has words).
func (p *parser) tag(example any) (followup.Tag, error) {
	if p.done() {
		return "", followup.Errorf(followup.EInvalid, "name the message tag: %s (one of %s)", example, tagList())
	}
	t := p.next()
	tag := followup.Tag(strings.ToUpper(t.val))
	if t.quoted || checkTag(tag) != nil {
		return "", followup.Errorf(followup.EInvalid, "%s is not a message tag (one of %s)", echo(t.raw, 40), tagList())
	}
	return tag, nil
}

// template takes NAME [1=value …], up to an else or the end.
func (p *parser) template() (*Template, error) {
	if p.done() {
		return nil, followup.Errorf(followup.EInvalid, "name the template: template renewal [1=value …]")
	}
	name := p.next()
	if name.quoted || !validTemplateName(name.val) {
		if strings.EqualFold(name.val, "else") {
			return nil, followup.Errorf(followup.EInvalid, "name the template before else: template renewal [1=value …]")
		}
		return nil, followup.Errorf(followup.EInvalid, "%s is not a template name (letters, digits, _, - and ., as the template was added)", echo(name.raw, 40))
	}
	t := &Template{Name: name.val}
	byNumber := map[int]string{}
	for !p.done() {
		if p.peekKeyword() == "else" {
			break
		}
		tok := p.next()
		key, value, ok := strings.Cut(tok.val, "=")
		if tok.quoted || !ok || key == "" {
			return nil, followup.Errorf(followup.EInvalid, "%s is not a template parameter; write parameters as %s", echo(tok.raw, 40), sayParams)
		}
		n, err := strconv.Atoi(key)
		if err != nil || n < 1 || strings.TrimLeft(key, "0123456789") != "" {
			return nil, followup.Errorf(followup.EInvalid, "%s: template parameters are numbered from 1; write them as %s", echo(tok.raw, 40), sayParams)
		}
		if _, dup := byNumber[n]; dup {
			return nil, followup.Errorf(followup.EInvalid, "template parameter %d is given twice", n)
		}
		if strings.TrimSpace(value) == "" {
			return nil, followup.Errorf(followup.EInvalid, "template parameter %d has no value; write %d=value", n, n)
		}
		byNumber[n] = value
	}
	for i := 1; i <= len(byNumber); i++ {
		v, ok := byNumber[i]
		if !ok {
			return nil, followup.Errorf(followup.EInvalid, "template parameters are numbered 1, 2, 3 … without gaps; %d is missing", i)
		}
		t.Params = append(t.Params, v)
	}
	return t, nil
}

// token is one word of a step: val with quotes removed and escapes
// applied, raw as written.
type token struct {
	val    string
	raw    string
	quoted bool // the whole word was one quoted span
}

// isQuote reports whether r opens a quoted span: the straight double quote
// or the curly ones Slack and phones substitute for it.
func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }

// closes reports whether r closes a span opened by open. Curly quotes come
// mismatched from some keyboards, so “ is closed by ” or “.
func closes(open, r rune) bool {
	if open == '“' {
		return r == '”' || r == '“'
	}
	return r == open
}

// tokenize splits a step into words at white space. A quoted span is one
// word when it starts a word, or when it follows the = of a template
// parameter (1="Jane Doe"); a span must be followed by white space or the
// end. Elsewhere quotes are ordinary characters.
func tokenize(s string) ([]token, error) {
	var toks []token
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
			return toks, nil
		}
		start := i
		var t token
		if r, _ := utf8.DecodeRuneInString(s[i:]); isQuote(r) {
			val, end, err := quoted(s, i)
			if err != nil {
				return nil, err
			}
			t.val, t.quoted, i = val, true, end
		} else {
			// Up to white space; a quote right after the word's first =
			// opens a span that is the rest of the word.
			sawEq, spanned := false, false
			for i < len(s) && !spanned {
				r, n := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) {
					break
				}
				i += n
				if r != '=' || sawEq {
					continue
				}
				sawEq = true
				if q, _ := utf8.DecodeRuneInString(s[i:]); i < len(s) && isQuote(q) {
					val, end, err := quoted(s, i)
					if err != nil {
						return nil, err
					}
					t.val, i, spanned = s[start:i]+val, end, true
				}
			}
			if !spanned {
				t.val = s[start:i]
			}
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); i < len(s) && !unicode.IsSpace(r) {
			after := s[i:]
			if end := strings.IndexFunc(after, unicode.IsSpace); end >= 0 {
				after = after[:end]
			}
			return nil, followup.Errorf(followup.EInvalid, "%s comes right after the closing quote of %s; put a space between them, or write \\\" for a quote inside the text", echo(after, 20), echo(s[start:i], 40))
		}
		t.raw = s[start:i]
		toks = append(toks, t)
	}
}

// quoted reads the span opening at s[i], returning its text and where it
// ends. \" \\ \“ and \” stand for the character; any other backslash is
// itself.
func quoted(s string, i int) (string, int, error) {
	open, n := utf8.DecodeRuneInString(s[i:])
	var b strings.Builder
	for j := i + n; j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		if r == '\\' && j+n < len(s) {
			if e, en := utf8.DecodeRuneInString(s[j+n:]); e == '\\' || isQuote(e) {
				b.WriteRune(e)
				j += n + en
				continue
			}
		}
		if closes(open, r) {
			return b.String(), j + n, nil
		}
		b.WriteString(s[j : j+n])
		j += n
	}
	return "", 0, followup.Errorf(followup.EInvalid, "the quote in %s is never closed; end the text with %c (write \\\" for a quote inside it)", echo(s[i:], 40), closer(open))
}

func closer(open rune) rune {
	if open == '“' {
		return '”'
	}
	return open
}
