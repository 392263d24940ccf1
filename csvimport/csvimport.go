// Package csvimport reads the contacts CSV of `followup contacts import`
// (PRODUCT.md §3): a header row naming known columns, then one row per
// contact and channel. Rows of the same contact (the same email, or the same
// phone) merge into one contact with one identity per row. Bad rows are
// reported with their line number and reason; good rows are kept.
package csvimport

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
)

// Columns are the columns the importer understands, in documentation order.
var Columns = []string{"first_name", "last_name", "email", "phone", "vip", "channel", "external_id", "last_inbound_at", "conversation_status", "assignee", "time_zone"}

// Limits that keep a hostile file from exhausting memory.
const (
	MaxRows     = 1_000_000
	MaxFieldLen = 1024
	// MaxLineBytes bounds a row, including the lines a quoted field
	// spans.
	MaxLineBytes = 16 * 1024
)

// Options say how to read what people wrote.
type Options struct {
	// Region is the workspace's default_region: phone numbers without a
	// country code are read in it; "" refuses them.
	Region string
}

// Contact is one contact of the file, from one row or from several rows
// that name the same contact.
type Contact struct {
	// Line is the contact's first row; Lines are all its rows, in order.
	Line  int
	Lines []int
	// Contact holds the rows' fields and their identities: the first row's
	// in Channel, ExternalID and LastInboundAt, the others' in Identities.
	// Phones and the ids of phone channels are E.164.
	Contact store.ContactInput
}

// RowError is one bad row.
type RowError struct {
	Line int `json:"line"`
	// Reason is why, in English; Err is the same for the reader's
	// language (i18n.Printer.Error), nil when only Reason is known.
	Reason string `json:"reason"`
	Err    error  `json:"-"`
}

// rowError is the RowError of line for why.
func rowError(line int, why *followup.Error) RowError {
	return RowError{Line: line, Reason: why.Message, Err: why}
}

// because is err as a reason: its own when it has one for people.
func because(err error) *followup.Error {
	var e *followup.Error
	if errors.As(err, &e) {
		return e
	}
	return followup.Errorf(followup.EInvalid, "%s", followup.ErrorMessage(err))
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Parse reads a whole file. A bad header (unknown or repeated column, no
// column at all) is an error and nothing is imported. A bad row is reported
// and the others are kept: a broken quote spoils only the row it opens on.
//
// Rows merge into one contact when they have the same email
// (case-insensitive), else the same phone, else the same channel identity,
// as the store finds an existing contact. Each row adds the contact's
// identity on its channel; the rows' other fields must agree where both
// are given (a field left empty says nothing). A row that disagrees, or
// gives a second, different identity on a channel, is reported.
func Parse(r io.Reader, opt Options) ([]Contact, []RowError, error) {
	p := &parser{br: bufio.NewReaderSize(r, MaxLineBytes)}
	line, header, reason, err := p.record()
	switch {
	case err == io.EOF:
		return nil, nil, followup.Errorf(followup.EInvalid, "the file is empty: the first row must name the columns (%s)", strings.Join(Columns, ","))
	case err != nil:
		return nil, nil, fmt.Errorf("read CSV: %w", err)
	case reason != nil:
		return nil, nil, followup.Errorf(followup.EInvalid, "cannot read the header row (line %d): %s", line, reason)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known(h) {
			return nil, nil, followup.Errorf(followup.EInvalid, "unknown column %q in the header (known: %s)", h, strings.Join(Columns, ","))
		}
		if _, dup := index[h]; dup {
			return nil, nil, followup.Errorf(followup.EInvalid, "column %q appears twice in the header", h)
		}
		index[h] = i
	}
	m := newMerger()
	var bad []RowError
	rows := 0
	for {
		line, rec, reason, err := p.record()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m.contacts, bad, fmt.Errorf("read CSV: %w", err)
		}
		if reason == nil && blank(rec) {
			continue
		}
		if rows++; rows > MaxRows {
			bad = append(bad, rowError(line, followup.Errorf(followup.EInvalid, "the file has more than %d rows; split it", MaxRows)))
			break
		}
		if reason == nil {
			var r row
			if r, reason = parseRow(rec, index, len(header), opt.Region); reason == nil {
				reason = m.add(line, r)
			}
		}
		if reason != nil {
			bad = append(bad, rowError(line, reason))
		}
	}
	return m.contacts, bad, nil
}

// parser reads records line by line, so that a row it cannot read (an
// unterminated or stray quote) costs that row only: reading starts again
// on the next line. encoding/csv alone would read on to the end of the
// file looking for the closing quote, swallowing every row after it.
type parser struct {
	br      *bufio.Reader
	line    int            // number of the last line read from br
	pending []physicalLine // lines to read again after a broken row
	cr      *csv.Reader
	src     feed
}

type physicalLine struct {
	no      int
	text    string
	tooLong bool
}

// next returns the next physical line, with its line ending.
func (p *parser) next() (physicalLine, error) {
	if len(p.pending) > 0 {
		l := p.pending[0]
		p.pending = p.pending[1:]
		return l, nil
	}
	b, err := p.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = p.br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return physicalLine{}, err
		}
		p.line++
		return physicalLine{no: p.line, tooLong: true}, nil
	}
	if err != nil && (err != io.EOF || len(b) == 0) {
		return physicalLine{}, err
	}
	p.line++
	text := string(b)
	if p.line == 1 {
		text = strings.TrimPrefix(text, "\ufeff")
	}
	return physicalLine{no: p.line, text: text}, nil
}

// record reads the next record: its first line, and its fields or the
// reason it cannot be read. Empty lines are skipped; err is io.EOF at the
// end.
func (p *parser) record() (line int, fields []string, reason *followup.Error, err error) {
	first, err := p.next()
	for err == nil && !first.tooLong && strings.TrimRight(first.text, "\r\n") == "" {
		first, err = p.next()
	}
	if err != nil {
		return 0, nil, nil, err
	}
	if first.tooLong {
		return first.no, nil, followup.Errorf(followup.EInvalid, "the line is longer than %d bytes", MaxLineBytes), nil
	}
	// A record goes on while a quoted field is open: an odd number of
	// quotes so far ("" inside a quoted field counts twice).
	lines := []physicalLine{first}
	open := strings.Count(first.text, `"`)%2 == 1
	size := len(first.text)
	for open {
		l, err := p.next()
		if err == io.EOF || (err == nil && (l.tooLong || size+len(l.text) > MaxLineBytes)) {
			if err == nil {
				lines = append(lines, l)
			}
			p.again(lines[1:])
			return first.no, nil, followup.Errorf(followup.EInvalid, `a quoted field opens here and is not closed (a " is missing or stray); the rows after it were read on their own`), nil
		}
		if err != nil {
			return 0, nil, nil, err
		}
		lines = append(lines, l)
		size += len(l.text)
		open = open != (strings.Count(l.text, `"`)%2 == 1)
	}
	text := first.text
	if len(lines) > 1 {
		var b strings.Builder
		b.Grow(size)
		for _, l := range lines {
			b.WriteString(l.text)
		}
		text = b.String()
	}
	rec, perr := p.parse(text)
	if perr != nil {
		p.again(lines[1:])
		var pe *csv.ParseError
		if errors.As(perr, &pe) {
			perr = pe.Err
		}
		why, ok := csvErrors[perr]
		if !ok {
			why = followup.Say("%s", perr.Error())
		}
		return first.no, nil, followup.Errorf(followup.EInvalid, "malformed CSV: %s", why), nil
	}
	return first.no, rec, nil, nil
}

// csvErrors are encoding/csv's errors, in its words, for the reader's
// language.
var csvErrors = map[error]followup.Phrase{
	csv.ErrBareQuote: followup.Say(`bare " in non-quoted-field`),
	csv.ErrQuote:     followup.Say(`extraneous or missing " in quoted-field`),
	errUnreadRow:     followup.Say("cannot read the row"),
}

// errUnreadRow: encoding/csv read no record, or not the whole text.
var errUnreadRow = errors.New("cannot read the row")

// again puts lines back to be read as rows of their own.
func (p *parser) again(lines []physicalLine) {
	if len(lines) > 0 {
		p.pending = append(append([]physicalLine(nil), lines...), p.pending...)
	}
}

// parse reads one record's text with encoding/csv. The reader is reused
// from record to record, and replaced after an error, which may leave
// part of the text unread.
func (p *parser) parse(text string) ([]string, error) {
	if p.cr == nil {
		p.cr = csv.NewReader(&p.src)
		p.cr.FieldsPerRecord = -1
	}
	p.src.s = text
	start := p.cr.InputOffset()
	rec, err := p.cr.Read()
	if err != nil || p.cr.InputOffset()-start != int64(len(text)) {
		p.cr, p.src.s = nil, ""
		if err == nil || err == io.EOF {
			err = errUnreadRow
		}
		return nil, err
	}
	return rec, nil
}

// feed is the text of the record being parsed.
type feed struct{ s string }

func (f *feed) Read(b []byte) (int, error) {
	if f.s == "" {
		return 0, io.EOF
	}
	n := copy(b, f.s)
	f.s = f.s[n:]
	return n, nil
}

// row is one row's contact fields and its identity, if it names a channel.
type row struct {
	c     store.ContactInput // without identity
	ident *store.IdentityInput
}

func parseRow(rec []string, index map[string]int, width int, region string) (row, *followup.Error) {
	var r row
	c := &r.c
	if len(rec) != width {
		return r, followup.Errorf(followup.EInvalid, "has %d fields, the header has %d", len(rec), width)
	}
	get := func(col string) string {
		if i, ok := index[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for _, f := range rec {
		if len(f) > MaxFieldLen {
			return r, followup.Errorf(followup.EInvalid, "a field is longer than %d bytes", MaxFieldLen)
		}
		if !utf8.ValidString(f) {
			return r, followup.Errorf(followup.EInvalid, "a field is not valid UTF-8")
		}
	}
	c.FirstName, c.LastName = get("first_name"), get("last_name")
	c.Email = get("email")
	phone, err := store.ParsePhone(get("phone"), region)
	if err != nil {
		return r, because(err)
	}
	c.Phone = phone
	if v := get("vip"); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return r, followup.Errorf(followup.EInvalid, "vip %q is not true or false", v)
		}
		c.VIP = &b
	}
	if v := get("time_zone"); v != "" {
		if !store.ValidTimeZone(v) {
			return r, followup.Errorf(followup.EInvalid, "time_zone %q is not an IANA time zone like Europe/Berlin", v)
		}
		c.TimeZone = v
	}
	var ident store.IdentityInput
	if v := get("channel"); v != "" {
		ch, err := followup.ParseChannel(strings.ToLower(v))
		if err != nil {
			return r, because(err)
		}
		ident.Channel = ch
	}
	if ext := get("external_id"); ext != "" {
		if ident.Channel == "" {
			return r, followup.Errorf(followup.EInvalid, "external_id needs a channel")
		}
		if ident.ExternalID, err = store.NormalizeExternalID(ident.Channel, ext, region); err != nil {
			return r, because(err)
		}
	}
	if v := get("last_inbound_at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return r, followup.Errorf(followup.EInvalid, "last_inbound_at %q is not an RFC 3339 time like 2026-11-20T14:05:00Z", v)
		}
		if ident.Channel == "" {
			return r, followup.Errorf(followup.EInvalid, "last_inbound_at needs a channel")
		}
		ident.LastInboundAt = &t
	}
	if ident.Channel != "" {
		r.ident = &ident
	}
	switch v := strings.ToLower(get("conversation_status")); v {
	case "":
	case "open", "closed":
		c.ConvStatus = followup.ConvStatus(v)
	default:
		return r, followup.Errorf(followup.EInvalid, "conversation_status %q is not open or closed", v)
	}
	c.AssigneeSlackID = get("assignee")
	if c.FirstName == "" && c.LastName == "" && c.Email == "" && c.Phone == "" && ident.ExternalID == "" {
		return r, followup.Errorf(followup.EInvalid, "no name, email, phone or external_id")
	}
	return r, nil
}

// merger gathers rows into contacts.
type merger struct {
	contacts []Contact
	byEmail  map[string]int // email key → contact index
	byPhone  map[string]int
	byIdent  map[identKey]int
	// idents are each contact's identities with the line that gave them.
	idents [][]lineIdent
}

type identKey struct {
	ch  followup.Channel
	ext string
}

type lineIdent struct {
	line int
	id   store.IdentityInput
}

func newMerger() *merger {
	return &merger{byEmail: map[string]int{}, byPhone: map[string]int{}, byIdent: map[identKey]int{}}
}

// add merges one good row into its contact, or reports why it cannot.
func (m *merger) add(line int, r row) *followup.Error {
	i, key := m.find(r)
	merged := r.c
	if i >= 0 {
		if reason := m.conflict(i, key, r); reason != nil {
			return reason
		}
		merged = m.contacts[i].Contact
		fill(&merged, r.c)
	}
	if r.ident != nil {
		if reason := m.checkIdent(i, merged, *r.ident); reason != nil {
			return reason
		}
	}
	if i < 0 {
		m.contacts = append(m.contacts, Contact{Line: line})
		m.idents = append(m.idents, nil)
		i = len(m.contacts) - 1
	}
	c := &m.contacts[i]
	c.Contact = merged
	c.Lines = append(c.Lines, line)
	if r.ident != nil {
		m.addIdent(i, line, *r.ident)
	}
	if e := store.EmailKey(merged.Email); e != "" {
		if _, ok := m.byEmail[e]; !ok {
			m.byEmail[e] = i
		}
	}
	if p := merged.Phone; p != "" {
		if _, ok := m.byPhone[p]; !ok {
			m.byPhone[p] = i
		}
	}
	return nil
}

// find returns the contact a row belongs to, and how it was found ("email
// \"a@b.c\""), or -1: as store.SaveContact finds a contact, by email, else
// by phone (unless both have different emails), else by identity.
func (m *merger) find(r row) (int, followup.Phrase) {
	email := store.EmailKey(r.c.Email)
	if i, ok := m.byEmail[email]; ok && email != "" {
		return i, followup.Say("email %q", r.c.Email)
	}
	if i, ok := m.byPhone[r.c.Phone]; ok && r.c.Phone != "" {
		if email == "" || m.contacts[i].Contact.Email == "" {
			return i, followup.Say("phone %s", r.c.Phone)
		}
	}
	if r.ident != nil && r.ident.ExternalID != "" && email == "" && r.c.Phone == "" {
		if i, ok := m.byIdent[identKey{r.ident.Channel, r.ident.ExternalID}]; ok {
			return i, followup.Say("%s external_id %q", string(r.ident.Channel), r.ident.ExternalID)
		}
	}
	return -1, followup.Phrase{}
}

// conflict says why row r cannot join contact i, found by key: a field
// both give differently.
func (m *merger) conflict(i int, key followup.Phrase, r row) *followup.Error {
	c := m.contacts[i]
	a, b := c.Contact, r.c
	differ := func(x, y string) bool { return x != "" && y != "" && x != y }
	field, was, is := "", "", ""
	switch {
	case differ(a.FirstName, b.FirstName):
		field, was, is = "first_name", a.FirstName, b.FirstName
	case differ(a.LastName, b.LastName):
		field, was, is = "last_name", a.LastName, b.LastName
	case differ(store.EmailKey(a.Email), store.EmailKey(b.Email)):
		field, was, is = "email", a.Email, b.Email
	case differ(a.Phone, b.Phone):
		field, was, is = "phone", a.Phone, b.Phone
	case a.VIP != nil && b.VIP != nil && *a.VIP != *b.VIP:
		field, was, is = "vip", strconv.FormatBool(*a.VIP), strconv.FormatBool(*b.VIP)
	case differ(string(a.ConvStatus), string(b.ConvStatus)):
		field, was, is = "conversation_status", string(a.ConvStatus), string(b.ConvStatus)
	case differ(a.AssigneeSlackID, b.AssigneeSlackID):
		field, was, is = "assignee", a.AssigneeSlackID, b.AssigneeSlackID
	case differ(a.TimeZone, b.TimeZone):
		field, was, is = "time_zone", a.TimeZone, b.TimeZone
	default:
		return nil
	}
	return followup.Errorf(followup.EInvalid, "%s is the contact of line %d, whose %s is %q, not %q: the rows of one contact must agree (leave the field empty on its other rows)", key, c.Line, field, was, is)
}

// checkIdent says why contact i (-1: a new one), with the row merged in,
// cannot take the row's identity: nothing to address it by, an identity
// of another contact, or a second one on a channel.
func (m *merger) checkIdent(i int, merged store.ContactInput, id store.IdentityInput) *followup.Error {
	to := address(merged, id)
	switch {
	case to == "" && id.Channel == followup.Email:
		return followup.Errorf(followup.EInvalid, "channel email needs an external_id, or the contact's email")
	case to == "" && (id.Channel == followup.WhatsApp || id.Channel == followup.SMS || id.Channel == followup.Viber):
		return followup.Errorf(followup.EInvalid, "channel %s needs an external_id, or the contact's phone", string(id.Channel))
	case to == "":
		return followup.Errorf(followup.EInvalid, "channel %s needs an external_id", string(id.Channel))
	}
	if j, ok := m.byIdent[identKey{id.Channel, id.ExternalID}]; ok && id.ExternalID != "" && j != i {
		return followup.Errorf(followup.EInvalid, "%s external_id %q is already the identity of the contact of line %d", string(id.Channel), id.ExternalID, m.contacts[j].Line)
	}
	if i < 0 {
		return nil
	}
	for _, have := range m.idents[i] {
		if have.id.Channel == id.Channel && address(merged, have.id) != to {
			return followup.Errorf(followup.EInvalid, "the contact of line %d already has a different %s identity (line %d): a contact has one identity per channel", m.contacts[i].Line, string(id.Channel), have.line)
		}
	}
	return nil
}

// addIdent gives contact i a row's identity, checked by checkIdent. The
// same identity twice is kept once, with the later inbound time.
func (m *merger) addIdent(i, line int, id store.IdentityInput) {
	defer m.setIdents(i)
	for k, have := range m.idents[i] {
		if have.id.Channel != id.Channel {
			continue
		}
		if t := id.LastInboundAt; t != nil && (have.id.LastInboundAt == nil || t.After(*have.id.LastInboundAt)) {
			m.idents[i][k].id.LastInboundAt = t
		}
		if have.id.ExternalID == "" && id.ExternalID != "" {
			m.idents[i][k].id.ExternalID = id.ExternalID
			m.byIdent[identKey{id.Channel, id.ExternalID}] = i
		}
		return
	}
	m.idents[i] = append(m.idents[i], lineIdent{line, id})
	if id.ExternalID != "" {
		m.byIdent[identKey{id.Channel, id.ExternalID}] = i
	}
}

// address is where an identity sends: its external id, or the contact's
// phone or email on the channels addressed by them.
func address(c store.ContactInput, id store.IdentityInput) string {
	switch {
	case id.ExternalID != "":
		return id.ExternalID
	case id.Channel == followup.Email:
		return store.EmailKey(c.Email)
	case id.Channel == followup.WhatsApp || id.Channel == followup.SMS || id.Channel == followup.Viber:
		return c.Phone
	}
	return ""
}

// setIdents writes contact i's identities into its ContactInput.
func (m *merger) setIdents(i int) {
	c := &m.contacts[i].Contact
	ids := m.idents[i]
	c.Channel, c.ExternalID, c.LastInboundAt, c.Identities = "", "", nil, nil
	if len(ids) == 0 {
		return
	}
	c.Channel, c.ExternalID, c.LastInboundAt = ids[0].id.Channel, ids[0].id.ExternalID, ids[0].id.LastInboundAt
	for _, l := range ids[1:] {
		c.Identities = append(c.Identities, l.id)
	}
}

// fill takes the fields a later row of the contact gives that earlier ones
// left empty.
func fill(c *store.ContactInput, r store.ContactInput) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&c.FirstName, r.FirstName)
	set(&c.LastName, r.LastName)
	set(&c.Email, r.Email)
	set(&c.Phone, r.Phone)
	set(&c.AssigneeSlackID, r.AssigneeSlackID)
	set(&c.TimeZone, r.TimeZone)
	if c.VIP == nil {
		c.VIP = r.VIP
	}
	if c.ConvStatus == "" {
		c.ConvStatus = r.ConvStatus
	}
}

func known(col string) bool {
	for _, c := range Columns {
		if c == col {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
