package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
)

// Inbox limits a search to one agent's contacts or not.
type Inbox string

// Inboxes.
const (
	InboxAll  Inbox = "all"
	InboxMine Inbox = "mine"
)

// StatusFilter picks contacts by their current conversation.
type StatusFilter string

// Status filters; closed is the default.
const (
	StatusClosed StatusFilter = "closed"
	StatusOpen   StatusFilter = "open"
	StatusAny    StatusFilter = "any"
)

// Kind is how a query was read.
type Kind string

// Query kinds (PRODUCT.md §3).
const (
	KindEmail Kind = "email"
	KindPhone Kind = "phone"
	KindName  Kind = "name"
)

// MatchKind says how a result matched; results are ranked in this order.
type MatchKind string

// Match kinds, best first.
const (
	MatchExact  MatchKind = "exact"
	MatchPrefix MatchKind = "prefix"
	MatchFuzzy  MatchKind = "fuzzy"
)

// Search limits.
const (
	MaxQueryLen  = 200 // characters; longer queries are refused, not truncated
	DefaultLimit = 20
	MaxLimit     = 100
	MaxOffset    = 10000
	maxTokens    = 4
	minPhone     = 3 // digits
)

// Query is one search.
type Query struct {
	Text    string
	Inbox   Inbox        // "" = all
	AgentID int64        // required for InboxMine
	Status  StatusFilter // "" = closed
	Limit   int          // 0 = DefaultLimit
	Offset  int
}

// Result is one contact found, with its channel identities.
type Result struct {
	followup.Contact
	Match      MatchKind           `json:"match"`
	Identities []followup.Identity `json:"identities"`
}

// Page is one page of results.
type Page struct {
	Kind    Kind     `json:"kind"`
	Results []Result `json:"results"`
	HasMore bool     `json:"has_more"`
}

// Classify reads a query by its shape: an email contains @; a phone is
// mostly digits with +, spaces, dashes, dots and brackets; anything else is
// a name.
func Classify(q string) Kind {
	q = strings.TrimSpace(q)
	if strings.Contains(q, "@") {
		return KindEmail
	}
	digits, other := 0, 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). /", r):
		default:
			other++
		}
	}
	if digits >= minPhone && other == 0 {
		return KindPhone
	}
	return KindName
}

// validate checks and normalises a query; errors are for the person typing.
func (q *Query) validate() error {
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return followup.Errorf(followup.EInvalid, "empty search: give a name, an email or a phone number")
	}
	if !utf8.ValidString(q.Text) {
		return followup.Errorf(followup.EInvalid, "the search is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(q.Text); n > MaxQueryLen {
		return followup.Errorf(followup.EInvalid, "the search is %d characters long; the limit is %d", n, MaxQueryLen)
	}
	for _, r := range q.Text {
		if unicode.IsControl(r) {
			return followup.Errorf(followup.EInvalid, "the search contains a control character")
		}
	}
	switch q.Inbox {
	case "":
		q.Inbox = InboxAll
	case InboxAll:
	case InboxMine:
		if q.AgentID == 0 {
			return followup.Errorf(followup.EInvalid, "--mine needs the agent whose inbox to search")
		}
	default:
		return followup.Errorf(followup.EInvalid, "unknown inbox %q (mine or all)", q.Inbox)
	}
	switch q.Status {
	case "":
		q.Status = StatusClosed
	case StatusClosed, StatusOpen, StatusAny:
	default:
		return followup.Errorf(followup.EInvalid, "unknown status %q (closed, open or any)", q.Status)
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 0 || q.Limit > MaxLimit:
		return followup.Errorf(followup.EInvalid, "limit must be between 1 and %d", MaxLimit)
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return followup.Errorf(followup.EInvalid, "offset must be between 0 and %d; narrow the search instead", MaxOffset)
	}
	return nil
}

// likePrefix escapes LIKE's metacharacters and appends %.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// candidates is SQL returning (id, rank, last_activity_at) rows, maybe
// with duplicates, and its arguments.
type candidates struct {
	sql  []string
	args []any
}

func (c *candidates) arg(v any) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d", len(c.args))
}

// branch adds one UNION ALL branch. Each branch is shaped to be an
// index-only scan of one search index (the filters read INCLUDE columns).
func (c *candidates) branch(rank, where string, q Query) {
	c.sql = append(c.sql, "SELECT id, "+rank+" AS rank, last_activity_at FROM contacts WHERE "+where+c.filters(q))
}

func (c *candidates) filters(q Query) string {
	var f string
	if q.Status != StatusAny {
		f += " AND conv_status = " + c.arg(string(q.Status))
	}
	if q.Inbox == InboxMine {
		f += " AND assignee_id = " + c.arg(q.AgentID)
	}
	return f
}

// Find searches contacts as PRODUCT.md §3 describes. Results are ranked
// exact, then prefix, then fuzzy (only when nothing matched exactly or by
// prefix), then by most recent activity. Custom fields and message bodies
// are not searched.
func (s *Store) Find(ctx context.Context, q Query) (Page, error) {
	if err := q.validate(); err != nil {
		return Page{}, err
	}
	page := Page{Kind: Classify(q.Text), Results: []Result{}}
	var c candidates
	switch page.Kind {
	case KindEmail:
		key := EmailKey(q.Text)
		c.branch("CASE WHEN email_key = "+c.arg(key)+" THEN 0 ELSE 1 END",
			"email_key LIKE "+c.arg(likePrefix(key)), q)
	case KindPhone:
		rev := PhoneRev(q.Text)
		c.branch("CASE WHEN length(phone_rev) = "+c.arg(len(rev))+" THEN 0 ELSE 1 END",
			"phone_rev LIKE "+c.arg(likePrefix(rev)), q)
	case KindName:
		nameBranches(&c, NameKey(q.Text), q)
	}
	rows, err := s.rank(ctx, c, q)
	if err != nil {
		return page, err
	}
	if len(rows) == 0 && page.Kind == KindName {
		// Nothing matched by prefix on this page: fall back to typo
		// tolerance only if nothing matched at all.
		any := true
		if q.Offset > 0 {
			probe := q
			probe.Offset, probe.Limit = 0, 1
			r, err := s.rank(ctx, c, probe)
			if err != nil {
				return page, err
			}
			any = len(r) == 0
		}
		if any {
			if rows, err = s.fuzzy(ctx, NameKey(q.Text), q); err != nil {
				return page, err
			}
		}
	}
	if len(rows) > q.Limit {
		page.HasMore = true
		rows = rows[:q.Limit]
	}
	return page, s.fill(ctx, &page, rows)
}

func nameBranches(c *candidates, key string, q Query) {
	tokens := strings.Fields(key)
	if len(tokens) > maxTokens {
		tokens = append(tokens[:maxTokens-1], strings.Join(tokens[maxTokens-1:], " "))
	}
	k := c.arg(key)
	p := c.arg(likePrefix(key))
	// The whole query as a prefix of the first or the last name ("mary
	// ann" for Mary Ann Smith, "van der" for van der Berg).
	c.branch("CASE WHEN first_key = "+k+" THEN 0 ELSE 1 END", "first_key LIKE "+p, q)
	c.branch("CASE WHEN last_key = "+k+" THEN 0 ELSE 1 END", "last_key LIKE "+p, q)
	// Split into a first-name part and a last-name part, in both orders:
	// "jan do" finds Jane Doe, "doe jan" too.
	for i := 1; i < len(tokens); i++ {
		head, tail := strings.Join(tokens[:i], " "), strings.Join(tokens[i:], " ")
		h, t := c.arg(head), c.arg(tail)
		hp, tp := c.arg(likePrefix(head)), c.arg(likePrefix(tail))
		c.branch("CASE WHEN first_key = "+h+" AND last_key = "+t+" THEN 0 ELSE 1 END",
			"first_key LIKE "+hp+" AND last_key LIKE "+tp, q)
		c.branch("CASE WHEN last_key = "+h+" AND first_key = "+t+" THEN 0 ELSE 1 END",
			"last_key LIKE "+hp+" AND first_key LIKE "+tp, q)
	}
}

type ranked struct {
	ID    int64   `db:"id"`
	Rank  int     `db:"rank"`
	Score float64 `db:"score"`
}

// rank merges the candidate branches and returns one page plus one row (to
// tell whether there is more).
func (s *Store) rank(ctx context.Context, c candidates, q Query) ([]ranked, error) {
	lim, off := c.arg(q.Limit+1), c.arg(q.Offset)
	sql := `SELECT id, min(rank) AS rank, 0::float8 AS score FROM (` + strings.Join(c.sql, " UNION ALL ") + `) m
		GROUP BY id ORDER BY min(rank), max(last_activity_at) DESC NULLS LAST, id
		LIMIT ` + lim + ` OFFSET ` + off
	var out []ranked
	if err := s.db.SelectContext(ctx, &out, sql, c.args...); err != nil {
		return nil, translate(err, "search")
	}
	return out, nil
}

// fuzzy finds names similar to key (pg_trgm word similarity over the full
// name), most similar first, then most recent activity.
func (s *Store) fuzzy(ctx context.Context, key string, q Query) ([]ranked, error) {
	var c candidates
	k := c.arg(key)
	f := c.filters(q)
	lim, off := c.arg(q.Limit+1), c.arg(q.Offset)
	sql := `SELECT id, 2 AS rank, word_similarity(` + k + `, full_key)::float8 AS score FROM contacts
		WHERE ` + k + ` <% full_key` + f + `
		ORDER BY score DESC, last_activity_at DESC NULLS LAST, id LIMIT ` + lim + ` OFFSET ` + off
	var out []ranked
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The operator <% reads its threshold from this setting; 0.4 finds
		// one or two swapped or missing letters ("jnae doe", "kierkegard")
		// without flooding the page.
		if _, err := tx.ExecContext(ctx, "SET LOCAL pg_trgm.word_similarity_threshold = "+fuzzyThreshold); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &out, sql, c.args...)
	})
	if err != nil {
		return nil, translate(err, "fuzzy search")
	}
	return out, nil
}

const fuzzyThreshold = "0.4"

// fill loads the page's contacts and identities, keeping the rank order.
func (s *Store) fill(ctx context.Context, page *Page, rows []ranked) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var cs []followup.Contact
	if err := s.db.SelectContext(ctx, &cs, `SELECT `+contactCols+` FROM contacts c WHERE c.id = ANY($1)`, ids); err != nil {
		return translate(err, "load contacts")
	}
	byID := make(map[int64]followup.Contact, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	idents, err := s.identitiesOf(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range rows {
		c, ok := byID[r.ID]
		if !ok {
			continue // deleted between the two queries
		}
		m := MatchPrefix
		switch r.Rank {
		case 0:
			m = MatchExact
		case 2:
			m = MatchFuzzy
		}
		is := idents[r.ID]
		if is == nil {
			is = []followup.Identity{}
		}
		page.Results = append(page.Results, Result{Contact: c, Match: m, Identities: is})
	}
	return nil
}

// NaiveFind is the baseline the search benchmark compares against: one
// ILIKE '%q%' scan over every searchable column, as a first version would
// write it. It is not used by the product.
func (s *Store) NaiveFind(ctx context.Context, text string, status StatusFilter, limit int) ([]int64, error) {
	var ids []int64
	p := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
	err := s.db.SelectContext(ctx, &ids, `SELECT id FROM contacts
		WHERE (first_name ILIKE $1 OR last_name ILIKE $1 OR (first_name || ' ' || last_name) ILIKE $1 OR email ILIKE $1 OR phone ILIKE $1)
		AND ($2 = 'any' OR conv_status = $2)
		ORDER BY last_activity_at DESC NULLS LAST LIMIT $3`, p, status, limit)
	return ids, translate(err, "naive search")
}
