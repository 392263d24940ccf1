package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// candidates is SQL returning (id, rank, last_activity_at) rows, each
// contact at most once, and its arguments.
type candidates struct {
	sql   []string
	args  []any
	limit string // the parameter holding how many rows a branch returns
	// sorted are the same branches, each made to read its rows from its
	// key index and sort them (Store.rank's fallback).
	sorted []string
}

func (c *candidates) arg(v any) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d", len(c.args))
}

// branch adds one UNION ALL branch: its best rows in result order, as
// many as the page and the rows before it need (every page of q, and the
// one-row probe Find makes), so the merge sorts a few rows per branch.
// Each branch is shaped to be an index-only scan (the filters read INCLUDE
// columns). A branch whose rank is a constant is in the order of
// contacts_activity, so for a broad prefix the planner can walk that index
// from the most recent contact, test the prefix on each entry and stop at
// the limit, instead of reading and sorting every match; for a narrow one
// it reads the key index's range and sorts the few rows (its estimate of
// the matching rows decides).
func (c *candidates) branch(rank, where string, q Query) {
	if c.limit == "" {
		c.limit = c.arg(q.Offset + q.Limit + 1)
	}
	head := "(SELECT id, " + rank + " AS rank, last_activity_at FROM contacts WHERE (" + where + ")" + c.filters(q)
	c.sql = append(c.sql, head+" ORDER BY rank, last_activity_at DESC NULLS LAST, id LIMIT "+c.limit+")")
	// The same rows in the same order, by an expression no index has: the
	// planner cannot walk contacts_activity for it and reads the key
	// index's range instead.
	c.sorted = append(c.sorted, head+" ORDER BY rank, last_activity_at + interval '0 s' DESC NULLS LAST, id LIMIT "+c.limit+")")
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
		full, suffix, err := s.phoneQuery(ctx, q.Text)
		if err != nil {
			return page, err
		}
		c.branch("CASE WHEN phone_rev = "+c.arg(PhoneRev(full))+" THEN 0 ELSE 1 END",
			"phone_rev LIKE "+c.arg(likePrefix(PhoneRev(suffix))), q)
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

// phoneQuery reads a phone query: the digits a whole number matches
// exactly, and the trailing digits a number must end with. A query that is
// a whole valid number, international or national in the workspace's
// default_region, is matched as its E.164 number ("+44 (0)20 7946 0958",
// "020 7946 0958" in GB: the 0 is a trunk prefix, not part of the number);
// anything else by its digits as the end of a number ("555 0142").
func (s *Store) phoneQuery(ctx context.Context, text string) (full, suffix string, err error) {
	digits := Digits(text)
	var region string
	if !strings.HasPrefix(text, "+") && !strings.HasPrefix(digits, "00") {
		if region, err = s.defaultRegion(ctx); err != nil {
			return "", "", err
		}
		if region == "" {
			return digits, digits, nil
		}
	}
	e, perr := ParsePhone(text, region)
	if perr != nil {
		return digits, digits, nil
	}
	full = Digits(e)
	if strings.HasSuffix(full, digits) {
		// The digits typed are the end of the number: keep finding every
		// number they end ("20 7946 0958" finds +1 207 946 0958 too), the
		// whole number first.
		return full, digits, nil
	}
	return full, full, nil
}

func nameBranches(c *candidates, key string, q Query) {
	tokens := strings.Fields(key)
	if len(tokens) > maxTokens {
		tokens = append(tokens[:maxTokens-1], strings.Join(tokens[maxTokens-1:], " "))
	}
	k := c.arg(key)
	p := c.arg(likePrefix(key))
	type branch struct{ where, exact string }
	// The whole query as a prefix of the first or the last name ("mary
	// ann" for Mary Ann Smith, "van der" for van der Berg).
	bs := []branch{
		{"first_key LIKE " + p, "first_key = " + k},
		{"last_key LIKE " + p, "last_key = " + k},
	}
	// Split into a first-name part and a last-name part, in both orders:
	// "jan do" finds Jane Doe, "doe jan" too.
	for i := 1; i < len(tokens); i++ {
		head, tail := strings.Join(tokens[:i], " "), strings.Join(tokens[i:], " ")
		h, t := c.arg(head), c.arg(tail)
		hp, tp := c.arg(likePrefix(head)), c.arg(likePrefix(tail))
		bs = append(bs,
			branch{"first_key LIKE " + hp + " AND last_key LIKE " + tp, "first_key = " + h + " AND last_key = " + t},
			branch{"last_key LIKE " + hp + " AND first_key LIKE " + tp, "last_key = " + h + " AND first_key = " + t})
	}
	exact := make([]string, len(bs))
	for i, b := range bs {
		exact[i] = "(" + b.exact + ")"
	}
	// Exact matches (each is also a prefix match of its branch) rank 0,
	// the other prefix matches 1, so that the prefix branches are in
	// result order by recency alone (see branch). The exact branches'
	// rank is written as an expression (always 0 there) so that their
	// order is not the index's: equality finds their rows in the key
	// indexes, index-only, whereas a walk of contacts_activity would read
	// the whole index whenever the planner's guess of the matches (~2,000
	// for any name not among its most common at a million) is wrong, as
	// for every typo. Each branch excludes the rows of the branches
	// before it, so no contact appears twice and the merge needs no
	// GROUP BY.
	isExact := strings.Join(exact, " OR ")
	var prev []string
	for _, e := range exact {
		where := e
		if len(prev) > 0 {
			where += " AND NOT (" + strings.Join(prev, " OR ") + ")"
		}
		c.branch("CASE WHEN "+isExact+" THEN 0 ELSE 1 END", where, q)
		prev = append(prev, e)
	}
	prev = []string{isExact}
	for _, b := range bs {
		c.branch("1", "("+b.where+") AND NOT ("+strings.Join(prev, " OR ")+")", q)
		prev = append(prev, "("+b.where+")")
	}
}

type ranked struct {
	ID    int64   `db:"id"`
	Rank  int     `db:"rank"`
	Score float64 `db:"score"`
}

// rank merges the candidate branches and returns one page plus one row (to
// tell whether there is more).
//
// The planner picks each branch's plan from its estimate of the matching
// rows (see candidates.branch), and an estimate can be far off: at ten
// million contacts the prefix branch of 静 (19,522 first names that are
// exactly 静, so none that only start with it) was estimated at 387 rows,
// and walking contacts_activity for them read all ten million entries
// (12 s). So the chosen plan gets walkBudget; a search that takes longer
// is asked again with every branch reading its key range and sorting it
// (the same rows in the same order), whose cost is bounded by the size of
// the ranges.
func (s *Store) rank(ctx context.Context, c candidates, q Query) ([]ranked, error) {
	lim, off := c.arg(q.Limit+1), c.arg(q.Offset)
	query := func(branches []string) string {
		return `SELECT id, rank, 0::float8 AS score FROM (` + strings.Join(branches, " UNION ALL ") + `) m
		ORDER BY rank, last_activity_at DESC NULLS LAST, id
		LIMIT ` + lim + ` OFFSET ` + off
	}
	// Planned for this query's values every time (not a cached statement,
	// whose generic plan could not tell a broad prefix from a narrow one).
	args := append([]any{pgx.QueryExecModeExec}, c.args...)
	var out []ranked
	if !s.sortedSearch {
		err := s.withStatementTimeout(ctx, walkBudget, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &out, query(c.sql), args...)
		})
		if !errors.Is(err, errStatementTimeout) {
			return out, translate(err, "search")
		}
		out = nil
	}
	if err := s.db.SelectContext(ctx, &out, query(c.sorted), args...); err != nil {
		return nil, translate(err, "search")
	}
	return out, nil
}

// walkBudget is how long a search's chosen plan may take before it is
// asked again with the key ranges read and sorted (Store.rank): about ten
// times a broad search's p95 on a busy machine.
const walkBudget = 300 * time.Millisecond

// errStatementTimeout is a statement Postgres cancelled at its
// statement_timeout.
var errStatementTimeout = errors.New("statement timeout")

// withStatementTimeout runs f in a read-only transaction whose statements
// Postgres cancels after d; errStatementTimeout when it did.
func (s *Store) withStatementTimeout(ctx context.Context, d time.Duration, f func(*sqlx.Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) && err == nil {
			err = rerr
		}
	}()
	if _, err := tx.ExecContext(ctx, "SELECT set_config('statement_timeout', $1, true)", strconv.FormatInt(d.Milliseconds(), 10)); err != nil {
		return err
	}
	err = f(tx)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "57014" && ctx.Err() == nil {
		return errStatementTimeout
	}
	return err
}

// fuzzy finds contacts whose name words are a few typos away from the
// query's words: each word of the query is corrected against the
// dictionary of name words (edit distance, or trigram similarity for a
// wrong first letter), and contacts are found by the corrected words.
// Results are ranked by the total edit distance, then most recent activity.
func (s *Store) fuzzy(ctx context.Context, key string, q Query) ([]ranked, error) {
	tokens := strings.Fields(key)
	if len(tokens) == 0 {
		return nil, nil
	}
	first, last := tokens[0], tokens[len(tokens)-1]
	fw, fd, err := s.similarWords(ctx, first)
	if err != nil || len(fw) == 0 {
		return nil, err
	}
	var c candidates
	a1, a2 := c.arg(fw), c.arg(fd)
	var parts []string
	if len(tokens) == 1 {
		parts = append(parts,
			`SELECT c.id, w.d AS score, c.last_activity_at FROM unnest(`+a1+`::text[], `+a2+`::int[]) w(word, d)
				JOIN contacts c ON c.first_key = w.word WHERE true`+c.filters(q),
			`SELECT c.id, w.d AS score, c.last_activity_at FROM unnest(`+a1+`::text[], `+a2+`::int[]) w(word, d)
				JOIN contacts c ON c.last_key = w.word WHERE c.first_key <> ALL(`+a1+`::text[])`+c.filters(q))
	} else {
		lw, ld, err := s.similarWords(ctx, last)
		if err != nil || len(lw) == 0 {
			return nil, err
		}
		b1, b2 := c.arg(lw), c.arg(ld)
		parts = append(parts,
			`SELECT c.id, a.d + b.d AS score, c.last_activity_at FROM unnest(`+a1+`::text[], `+a2+`::int[]) a(word, d)
				JOIN contacts c ON c.first_key = a.word JOIN unnest(`+b1+`::text[], `+b2+`::int[]) b(word, d) ON c.last_key = b.word WHERE true`+c.filters(q),
			`SELECT c.id, a.d + b.d AS score, c.last_activity_at FROM unnest(`+a1+`::text[], `+a2+`::int[]) a(word, d)
				JOIN contacts c ON c.last_key = a.word JOIN unnest(`+b1+`::text[], `+b2+`::int[]) b(word, d) ON c.first_key = b.word
				WHERE NOT (c.first_key = ANY(`+a1+`::text[]) AND c.last_key = ANY(`+b1+`::text[]))`+c.filters(q))
	}
	lim, off := c.arg(q.Limit+1), c.arg(q.Offset)
	sql := `SELECT id, 2 AS rank, score::float8 AS score FROM (` + strings.Join(parts, " UNION ALL ") + `) m
		ORDER BY score, last_activity_at DESC NULLS LAST, id LIMIT ` + lim + ` OFFSET ` + off
	var out []ranked
	if err := s.db.SelectContext(ctx, &out, sql, c.args...); err != nil {
		return nil, translate(err, "fuzzy search")
	}
	return out, nil
}

// similarWords returns the dictionary words within a small edit distance of
// word (one edit up to 4 letters, two beyond; none under 3 letters), plus
// longer words with a similar trigram profile, closest first.
func (s *Store) similarWords(ctx context.Context, word string) ([]string, []int, error) {
	n := utf8.RuneCountInString(word)
	if n < 3 {
		return nil, nil, nil
	}
	maxd := 1
	if n >= 4 {
		maxd = 2
	}
	var rows []struct {
		Word string `db:"word"`
		D    int    `db:"d"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT word, d FROM (
			SELECT word, levenshtein_less_equal(word, $1, $2) AS d FROM name_words
			WHERE (first_char = left($1, 1) AND len BETWEEN $3 - $2 AND $3 + $2) OR word % $1
		) w WHERE d <= $2 ORDER BY d, word LIMIT 24`, word, maxd, n)
	if err != nil {
		return nil, nil, translate(err, "fuzzy search")
	}
	// Re-rank with transpositions counting as one edit ("jsoe" is one
	// typo from "jose", two from "jane").
	for i := range rows {
		rows[i].D = osaDistance(word, rows[i].Word)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].D < rows[j].D })
	words, dists := make([]string, 0, len(rows)), make([]int, 0, len(rows))
	for _, r := range rows {
		if len(words) == 12 {
			break
		}
		words, dists = append(words, r.Word), append(dists, r.D)
	}
	return words, dists, nil
}

// osaDistance is the optimal string alignment distance: Levenshtein plus
// the transposition of two adjacent letters as one edit.
func osaDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

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
// write it on a table without search indexes. It is not used by the
// product. Index scans are off for it: contacts_activity is in its ORDER
// BY's order and would let it stop early for a common substring, which is
// the product's index helping the baseline, not the naive scan.
func (s *Store) NaiveFind(ctx context.Context, text string, status StatusFilter, limit int) (_ []int64, err error) {
	var ids []int64
	p := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, translate(err, "naive search")
	}
	defer func() { err = errors.Join(err, tx.Rollback()) }()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`); err != nil {
		return nil, translate(err, "naive search")
	}
	err = tx.SelectContext(ctx, &ids, `SELECT id FROM contacts
		WHERE (first_name ILIKE $1 OR last_name ILIKE $1 OR (first_name || ' ' || last_name) ILIKE $1 OR email ILIKE $1 OR phone ILIKE $1)
		AND ($2 = 'any' OR conv_status = $2)
		ORDER BY last_activity_at DESC NULLS LAST LIMIT $3`, p, status, limit)
	return ids, translate(err, "naive search")
}
