// Package seed fills a followup database with realistic synthetic contacts,
// their channel identities and conversations, fast enough to load a million
// contacts in well under two minutes (`followup seed --contacts N`).
//
// The data is deterministic for a given Options.Seed, Options.Now and
// Options.Agents, and the contact and conversation ids the run starts from:
// names in several scripts (Latin with accents, Cyrillic, Greek, Arabic,
// Chinese, Japanese, Korean), E.164 phone numbers, unique email addresses
// under the reserved .example TLD, one to four channel identities per contact
// with last-inbound times from a minute to ninety days before Options.Now,
// and one current conversation per contact (about 30% open), which the
// contact row's conv_status, assignee_id and last_activity_at mirror.
//
// Rows are written in batches with binary COPY, several batches at once on
// separate connections while further batches are generated on the other
// cores. A batch's contacts, identities and conversations commit together,
// so a failed or cancelled run leaves whole batches behind and nothing
// dangling.
package seed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/all"
	"github.com/followup-dev/followup/store"
)

// Options says what to seed.
type Options struct {
	// Contacts is the number of contacts to add.
	Contacts int
	// Seed makes the data reproducible: the same Seed (with the same Now,
	// Agents and starting ids) gives the same rows.
	Seed int64
	// Now is the moment the data is relative to (last-inbound times, open
	// and closed windows); the zero time means time.Now().
	Now time.Time
	// Agents are ids of existing agents, to assign conversations to and to
	// make dedicated agents of VIPs. With none, nothing is assigned.
	Agents []int64
	// Progress, if set, is called after each batch commits with the number
	// of contacts written so far. Calls do not overlap; it should return
	// quickly.
	Progress func(done int)
}

// Stats is what a run wrote.
type Stats struct {
	Contacts      int   // contacts written
	Identities    int   // channel identities written
	Conversations int   // conversations written
	FirstID       int64 // id of the first contact written
	LastID        int64 // id of the last contact written (ids are consecutive)
	// Duration is the whole run, including Maintenance.
	Duration time.Duration
	// Maintenance is the name dictionary, ANALYZE and VACUUM after loading.
	Maintenance time.Duration
	// TriggersSkipped says the foreign-key triggers were skipped (see Run).
	TriggersSkipped bool
}

const (
	// maxID bounds contact ids: phone numbers and telegram ids embed eight
	// and nine digits derived from the id, which keeps them unique. (It
	// bounds conversation ids too, for simplicity.)
	maxID = 99_999_999
	// maxLoaders bounds the connections that copy at once.
	maxLoaders = 4
)

// Knobs that tests change.
var (
	// batchSize is the number of contacts per COPY transaction.
	batchSize = 50_000
	// skipTriggers allows the fast path of Run when the role may take it.
	skipTriggers = true
	// loaders overrides the number of copying connections when positive.
	loaders = 0
)

// Run adds opt.Contacts contacts, with their identities and conversations, to
// the database behind pool, then ANALYZEs the three tables and VACUUMs
// contacts so that search can use index-only scans straight away.
//
// Contact and conversation ids follow the current maximum; the id sequences
// are moved past the seeded ranges first, under a lock, so concurrent inserts
// cannot collide with them. Run uses up to four connections from pool.
//
// Checking the foreign keys of millions of rows one by one costs about a
// third of the load. When the database role may set session_replication_role
// (a superuser, or one granted it) and the three tables have no triggers of
// their own, Run skips those checks the way pg_restore --disable-triggers
// does: the rows are consistent by construction (a batch's identities and
// conversations are written in the transaction that writes their contacts,
// and each transaction first locks the agents it refers to), so the
// constraints hold all the same.
func Run(ctx context.Context, pool *pgxpool.Pool, opt Options) (Stats, error) {
	start := time.Now()
	var st Stats
	if opt.Contacts < 0 {
		return st, followup.Errorf(followup.EInvalid, "seed: the number of contacts must not be negative (got %d)", opt.Contacts)
	}
	if opt.Contacts == 0 {
		st.Duration = time.Since(start)
		return st, nil
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Postgres keeps microseconds; truncating here keeps what is written
	// equal to what is generated.
	now = now.Truncate(time.Microsecond)
	n := int64(opt.Contacts)

	agents := slices.Clone(opt.Agents)
	slices.Sort(agents)
	agents = slices.Compact(agents)
	if err := lockAgents(ctx, pool, agents); err != nil {
		return st, err
	}
	base, convBase, err := reserveIDs(ctx, pool, n)
	if err != nil {
		return st, err
	}
	if skipTriggers {
		if st.TriggersSkipped, err = mayDisableTriggers(ctx, pool); err != nil {
			return st, err
		}
	}

	// opt.Agents, not the sorted copy, so that the data depends on the
	// order the caller gave.
	g := &generator{seed: uint64(opt.Seed), now: now, agents: opt.Agents, base: base, convBase: convBase}
	for _, ch := range followup.Channels {
		d, _ := all.Driver(ch)
		g.forms = append(g.forms, d.ID)
	}
	if err := load(ctx, pool, g, opt.Contacts, agents, st.TriggersSkipped, opt.Progress, &st); err != nil {
		return st, err
	}
	st.FirstID, st.LastID = base+1, base+n

	m := time.Now()
	// The dictionary the search's typo tolerance corrects against.
	if _, err := pool.Exec(ctx, `INSERT INTO name_words (word)
		SELECT DISTINCT w FROM contacts, unnest(string_to_array(full_key, ' ')) AS w
		WHERE id BETWEEN $1 AND $2 AND w <> '' ON CONFLICT DO NOTHING`, st.FirstID, st.LastID); err != nil {
		return st, fmt.Errorf("seed: name words: %w", err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE identities, conversations"); err != nil {
		return st, fmt.Errorf("seed: analyze: %w", err)
	}
	// Index-only scans need the visibility map, which only VACUUM sets; it
	// also empties the trigram index's pending list.
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) contacts"); err != nil {
		return st, fmt.Errorf("seed: vacuum contacts: %w", err)
	}
	// A concurrent autoanalyze holds back the horizon VACUUM marks pages
	// all-visible by; once it has finished, another VACUUM (which only
	// visits the pages left) completes the map. Pages the concurrent COPYs
	// extended the table by and left empty stay unmarked, harmlessly: no
	// index entry points into them.
	var left int64
	if err := pool.QueryRow(ctx, `SELECT relpages - relallvisible FROM pg_class WHERE oid = 'contacts'::regclass`).Scan(&left); err != nil {
		return st, fmt.Errorf("seed: %w", err)
	}
	if left > 0 {
		if _, err := pool.Exec(ctx, "VACUUM contacts"); err != nil {
			return st, fmt.Errorf("seed: vacuum contacts: %w", err)
		}
	}
	st.Maintenance = time.Since(m)
	st.Duration = time.Since(start)
	return st, nil
}

// lockAgents checks that every id in agents (sorted, without duplicates) is
// an agent, and locks them against deletion until q's transaction ends.
func lockAgents(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, agents []int64) error {
	if len(agents) == 0 {
		return nil
	}
	var found []int64
	err := q.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM (SELECT id FROM agents WHERE id = ANY($1) FOR KEY SHARE) a`, agents).Scan(&found)
	if err != nil {
		return fmt.Errorf("seed: look up agents: %w", err)
	}
	for _, id := range agents {
		if !slices.Contains(found, id) {
			return followup.Errorf(followup.EInvalid, "seed: agent %d does not exist", id)
		}
	}
	return nil
}

// reserveIDs moves the contacts and conversations id sequences n past both
// the largest id and the sequence's own position, and returns the ids before
// the reserved ranges. The tables are locked against inserts meanwhile, so
// no concurrent insert can take an id in the ranges.
func reserveIDs(ctx context.Context, pool *pgxpool.Pool, n int64) (contacts, conversations int64, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE contacts, conversations IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		for _, r := range []struct {
			table string
			base  *int64
		}{{"contacts", &contacts}, {"conversations", &conversations}} {
			seq := "pg_get_serial_sequence('" + r.table + "', 'id')::regclass"
			err := tx.QueryRow(ctx, `SELECT greatest((SELECT coalesce(max(id), 0) FROM `+r.table+`), coalesce(pg_sequence_last_value(`+seq+`), 0))`).Scan(r.base)
			if err != nil {
				return err
			}
			if *r.base+n > maxID {
				return followup.Errorf(followup.EInvalid, "seed: %s ids would reach %d; seed supports ids up to %d", r.table, *r.base+n, maxID)
			}
			if _, err := tx.Exec(ctx, `SELECT setval(`+seq+`, $1)`, *r.base+n); err != nil {
				return err
			}
		}
		return nil
	})
	var fe *followup.Error
	if errors.As(err, &fe) {
		return 0, 0, err
	}
	if err != nil {
		return 0, 0, fmt.Errorf("seed: reserve ids: %w", err)
	}
	return contacts, conversations, nil
}

// mayDisableTriggers says whether the role may skip the foreign-key triggers
// and nothing else would be skipped with them: the tables have no triggers
// but the internal ones of their constraints, and no rules.
func mayDisableTriggers(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var own int
	err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY($1::regclass[]) AND NOT tgisinternal) +
		(SELECT count(*) FROM pg_rewrite WHERE ev_class = ANY($1::regclass[]))`,
		[]string{"contacts", "identities", "conversations"}).Scan(&own)
	if err != nil {
		return false, fmt.Errorf("seed: list triggers: %w", err)
	}
	if own > 0 {
		return false, nil
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // only a probe
	_, err = tx.Exec(ctx, "SET LOCAL session_replication_role = replica")
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" { // insufficient_privilege
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	return true, nil
}

// batch is a run of consecutive contacts with their rows.
type batch struct {
	contacts   []contactRow
	identities []identityRow
	convs      []convRow
}

// load generates the batches on one goroutine per core and copies them on
// several connections, each batch in one transaction.
func load(ctx context.Context, pool *pgxpool.Pool, gen *generator, n int, agents []int64, noTriggers bool, progress func(int), st *Stats) error {
	k := loaders
	if k <= 0 {
		k = min(max(runtime.GOMAXPROCS(0), 2), maxLoaders)
	}
	nb := (n + batchSize - 1) / batchSize
	k = max(1, min(k, int(pool.Config().MaxConns), nb))
	conns := make([]*pgxpool.Conn, 0, k)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range k {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("seed: connect: %w", err)
		}
		conns = append(conns, c)
	}

	eg, ctx := errgroup.WithContext(ctx)
	jobs := make(chan int)
	eg.Go(func() error {
		defer close(jobs)
		for b := range nb {
			select {
			case jobs <- b:
			case <-ctx.Done():
				return nil
			}
		}
		return nil
	})
	// At most GOMAXPROCS+k+1 batches are in memory: being generated,
	// ready, and being copied.
	ready := make(chan *batch, 1)
	var gens sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), nb) {
		gens.Add(1)
		eg.Go(func() error {
			defer gens.Done()
			w := gen.worker()
			for b := range jobs {
				select {
				case ready <- w.batch(b*batchSize, min((b+1)*batchSize, n)):
				case <-ctx.Done():
					return nil
				}
			}
			return nil
		})
	}
	go func() {
		gens.Wait()
		close(ready)
	}()

	var mu sync.Mutex // guards st and progress
	for _, conn := range conns {
		eg.Go(func() error {
			for b := range ready {
				if err := copyBatch(ctx, conn, b, agents, noTriggers); err != nil {
					return err
				}
				mu.Lock()
				st.Contacts += len(b.contacts)
				st.Identities += len(b.identities)
				st.Conversations += len(b.convs)
				if progress != nil {
					progress(st.Contacts)
				}
				mu.Unlock()
			}
			return ctx.Err()
		})
	}
	return eg.Wait()
}

// copyBatch writes a batch's contacts, identities and conversations in one
// transaction.
func copyBatch(ctx context.Context, conn *pgxpool.Conn, b *batch, agents []int64, noTriggers bool) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	// Not waiting for each batch's WAL flush loses nothing: after a crash
	// the last batches are missing, as after an interrupted run.
	settings := "SET LOCAL synchronous_commit = off"
	if noTriggers {
		settings += "; SET LOCAL session_replication_role = replica"
	}
	if _, err := tx.Exec(ctx, settings); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if noTriggers {
		// What the foreign-key triggers would have done: make sure the
		// agents exist and stay until the batch commits.
		if err := lockAgents(ctx, tx, agents); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		src   pgx.CopyFromSource
	}{
		{"contacts", contactCols, &contactSource{rows: b.contacts}},
		{"identities", identityCols, &identitySource{rows: b.identities}},
		{"conversations", convCols, &convSource{rows: b.convs}},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, c.src); err != nil {
			return fmt.Errorf("seed: copy %s: %w", c.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

// Rows and their COPY sources. Empty strings and zero ids and times are
// written as NULL where the column allows it.

type contactRow struct {
	id                                   int64
	first, last, email, phone            string
	vip                                  bool
	dedicated, assignee                  int64
	open                                 bool
	lastActivity, created                time.Time
	firstKey, lastKey, fullKey, emailKey string
	phoneRev                             string
}

var contactCols = []string{"id", "first_name", "last_name", "email", "phone", "vip", "dedicated_agent_id",
	"conv_status", "assignee_id", "last_activity_at", "first_key", "last_key", "full_key", "email_key", "phone_rev",
	"created_at", "updated_at"}

type contactSource struct {
	rows []contactRow
	i    int
	vals [17]any
}

func (s *contactSource) Next() bool { s.i++; return s.i <= len(s.rows) }
func (s *contactSource) Err() error { return nil }
func (s *contactSource) Values() ([]any, error) {
	r := &s.rows[s.i-1]
	v := &s.vals
	v[0], v[1], v[2], v[3], v[4], v[5] = r.id, r.first, r.last, nullString(r.email), nullString(r.phone), r.vip
	v[6], v[7], v[8], v[9] = nullID(r.dedicated), status(r.open), nullID(r.assignee), r.lastActivity
	v[10], v[11], v[12], v[13], v[14] = r.firstKey, r.lastKey, r.fullKey, nullString(r.emailKey), nullString(r.phoneRev)
	v[15], v[16] = r.created, r.lastActivity
	return v[:], nil
}

type identityRow struct {
	contactID   int64
	channel     followup.Channel
	externalID  string
	lastInbound time.Time
}

var identityCols = []string{"contact_id", "channel", "external_id", "last_inbound_at"}

type identitySource struct {
	rows []identityRow
	i    int
	vals [4]any
}

func (s *identitySource) Next() bool { s.i++; return s.i <= len(s.rows) }
func (s *identitySource) Err() error { return nil }
func (s *identitySource) Values() ([]any, error) {
	r := &s.rows[s.i-1]
	s.vals[0], s.vals[1], s.vals[2], s.vals[3] = r.contactID, string(r.channel), r.externalID, nullTime(r.lastInbound)
	return s.vals[:], nil
}

type convRow struct {
	id, contactID  int64
	open           bool
	assignee       int64
	opened, closed time.Time
}

var convCols = []string{"id", "contact_id", "status", "assignee_id", "opened_at", "closed_at"}

type convSource struct {
	rows []convRow
	i    int
	vals [6]any
}

func (s *convSource) Next() bool { s.i++; return s.i <= len(s.rows) }
func (s *convSource) Err() error { return nil }
func (s *convSource) Values() ([]any, error) {
	r := &s.rows[s.i-1]
	s.vals[0], s.vals[1], s.vals[2], s.vals[3] = r.id, r.contactID, status(r.open), nullID(r.assignee)
	s.vals[4], s.vals[5] = r.opened, nullTime(r.closed)
	return s.vals[:], nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func status(open bool) string {
	if open {
		return string(followup.Open)
	}
	return string(followup.Closed)
}

// The generator.

// name is a first or family name with its search key and the ascii spelling
// used in email addresses.
type name struct {
	native, key, ascii string
}

type lastName struct{ male, female name }

type locale struct {
	weight         int
	male, female   []name
	last           []lastName
	phones         []phoneSpec
	phoneWeights   []int
	domains        []string
	channelWeights []int // one per followup.Channels entry
}

// locales is localeSpecs parsed, with every name's search key computed once.
var locales, localeWeights = compileLocales()

func compileLocales() ([]locale, []int) {
	var ls []locale
	var ws []int
	for _, s := range localeSpecs {
		l := locale{weight: s.weight, domains: s.domains, channelWeights: make([]int, len(followup.Channels)), phones: s.phones}
		copy(l.channelWeights, s.channels)
		for _, e := range strings.Split(s.male, "|") {
			l.male = append(l.male, parseName(e))
		}
		for _, e := range strings.Split(s.female, "|") {
			l.female = append(l.female, parseName(e))
		}
		for _, e := range strings.Split(s.last, "|") {
			native, ascii, _ := strings.Cut(e, ":")
			m, f, gendered := strings.Cut(native, "/")
			am, af, _ := strings.Cut(ascii, "/")
			if !gendered {
				f, af = m, am
			}
			if af == "" {
				af = am
			}
			l.last = append(l.last, lastName{parseName(m + ":" + am), parseName(f + ":" + af)})
		}
		for _, p := range s.phones {
			l.phoneWeights = append(l.phoneWeights, p.weight)
		}
		ls = append(ls, l)
		ws = append(ws, s.weight)
	}
	return ls, ws
}

// parseName parses "Native" or "Native:ascii".
func parseName(e string) name {
	native, ascii, _ := strings.Cut(e, ":")
	key := store.NameKey(native)
	if ascii == "" {
		ascii = asciiLetters(key)
	}
	return name{native: native, key: key, ascii: ascii}
}

// asciiLetters keeps the letters a-z of an already folded key, so "o'brien"
// becomes "obrien" and "de luca" "deluca".
func asciiLetters(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b = append(b, c)
		}
	}
	return string(b)
}

// pick chooses an index with probability proportional to its weight.
func pick(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

type generator struct {
	seed     uint64
	now      time.Time
	agents   []int64
	base     int64 // contact ids are base+1, base+2, …
	convBase int64 // conversation ids likewise
	// forms are the customers' ids on each channel, in followup.Channels
	// order (the channels' drivers say what they look like).
	forms []channels.IDForm
}

// worker is one goroutine's generator state.
type worker struct {
	*generator
	pcg rand.PCG
	r   *rand.Rand
	buf []byte
	// weights are the current contact's channel weights.
	weights []int
}

func (g *generator) worker() *worker {
	w := &worker{generator: g}
	w.r = rand.New(&w.pcg)
	return w
}

// splitmix64's finaliser: a bijection on uint64 that scrambles its input.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// permute maps id < 10^digits to a scrambled number below 10^digits:
// a*x+b mod 10^k is a bijection when a is coprime to 10 (odd, not ending in
// 5), and a large a spreads consecutive ids far apart.
func permute(id int64, a, b uint64, digits int) uint64 {
	m := uint64(1)
	for range digits {
		m *= 10
	}
	hi, lo := bits.Mul64(uint64(id)%m, a%m)
	return (bits.Rem64(hi, lo, m) + b%m) % m
}

const (
	second = int64(time.Second / time.Microsecond)
	minute = 60 * second
	hour   = 60 * minute
	day    = 24 * hour
	maxAge = 90 * day // oldest last-inbound time
)

var identityCounts = []int{40, 35, 18, 7} // weights of 1, 2, 3 and 4 identities

// batch generates contacts lo..hi-1 of the run. Each contact's random numbers
// come from a generator seeded with (Seed, its index), so the data does not
// depend on batching or on which goroutine made it.
func (w *worker) batch(lo, hi int) *batch {
	n := hi - lo
	b := &batch{
		contacts:   make([]contactRow, n),
		identities: make([]identityRow, 0, n*2),
		convs:      make([]convRow, n),
	}
	for i := range n {
		w.contact(lo+i, b, i)
	}
	// Rows in an index's order touch each of its pages once per batch
	// rather than once per row, which saves about a tenth of the load:
	// contacts by email (one of their indexes that would otherwise be
	// filled in random order), identities by their unique (channel,
	// external_id). The order of rows in the heap means nothing.
	slices.SortFunc(b.contacts, func(x, y contactRow) int {
		if c := strings.Compare(x.emailKey, y.emailKey); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	slices.SortFunc(b.identities, func(x, y identityRow) int {
		if c := strings.Compare(string(x.channel), string(y.channel)); c != 0 {
			return c
		}
		return strings.Compare(x.externalID, y.externalID)
	})
	return b
}

func (w *worker) at(age int64) time.Time {
	return w.now.Add(-time.Duration(age) * time.Microsecond)
}

// contact generates the contact with index seq into b at position i.
func (w *worker) contact(seq int, b *batch, i int) {
	w.pcg.Seed(mix(w.seed^0x5eed), mix(uint64(seq)))
	r := w.r
	id := w.base + 1 + int64(seq)
	c := &b.contacts[i]
	c.id = id

	loc := &locales[pick(r, localeWeights)]
	female := r.IntN(2) == 0
	var first name
	if female {
		first = loc.female[r.IntN(len(loc.female))]
	} else {
		first = loc.male[r.IntN(len(loc.male))]
	}
	ln := loc.last[r.IntN(len(loc.last))]
	last := ln.male
	if female {
		last = ln.female
	}
	if r.IntN(100) == 0 { // some people only give a first name
		last = name{}
	}
	c.first, c.last = first.native, last.native
	c.firstKey, c.lastKey = first.key, last.key
	switch {
	case last.key == "":
		c.fullKey = first.key
	default:
		c.fullKey = first.key + " " + last.key
	}

	if r.IntN(10) != 0 {
		p := &loc.phones[pick(r, loc.phoneWeights)]
		prefix := p.prefixes[r.IntN(len(p.prefixes))]
		buf := append(w.buf[:0], '+')
		buf = append(buf, p.cc...)
		buf = append(buf, prefix...)
		buf = appendPadded(buf, permute(id, 61_803_397, 31_415_926, 8), 8)
		c.phone = string(buf)
		w.buf = buf
		c.phoneRev = store.PhoneRev(c.phone)
	}
	emailPct := 85
	if c.phone == "" {
		emailPct = 60
	}
	if r.IntN(100) < emailPct {
		c.email = w.email(r, first, last, id, loc.domains[r.IntN(len(loc.domains))])
		c.emailKey = store.EmailKey(c.email)
	}
	c.vip = r.IntN(100) < 5
	if c.vip && len(w.agents) > 0 && r.IntN(2) == 0 {
		c.dedicated = w.agents[r.IntN(len(w.agents))]
	}

	// Identities: the first is the channel the contact last wrote on.
	w.weights = append(w.weights[:0], loc.channelWeights...)
	weights := w.weights
	for i, f := range w.forms {
		if (f.By == channels.ByPhone && c.phone == "") || (f.By == channels.ByEmail && c.email == "") {
			weights[i] = 0 // WhatsApp, Viber and SMS need a phone, email an address
		}
	}
	k := 1 + pick(r, identityCounts)
	latest := minute + int64(float64(maxAge-minute)*cube(r.Float64()))
	oldest := latest
	for j := range k {
		ch := pick(r, weights)
		weights[ch] = 0
		ident := identityRow{contactID: id, channel: followup.Channels[ch], externalID: w.externalID(r, ch, c)}
		age := latest
		if j > 0 {
			age += int64(float64(maxAge-latest) * sq(r.Float64()))
			if r.IntN(20) == 0 { // never wrote on this channel (imported)
				age = -1
			}
		}
		if age >= 0 {
			ident.lastInbound = w.at(age)
			oldest = max(oldest, age)
		}
		b.identities = append(b.identities, ident)
	}
	createdAge := oldest + minute + int64(float64(730*day)*sq(r.Float64()))
	c.created = w.at(createdAge)

	// The current conversation.
	conv := &b.convs[i]
	conv.id, conv.contactID = w.convBase+1+int64(seq), id
	assignee := func() int64 {
		if c.dedicated != 0 {
			return c.dedicated
		}
		return w.agents[r.IntN(len(w.agents))]
	}
	// About 30% open, most of them recent.
	openPct := 15
	switch {
	case latest < 2*day:
		openPct = 55
	case latest < 14*day:
		openPct = 35
	}
	if r.IntN(100) < openPct {
		conv.open = true
		conv.opened = w.at(min(createdAge, latest+r.Int64N(6*hour)))
		if len(w.agents) > 0 && r.IntN(10) != 0 {
			conv.assignee = assignee()
		}
		c.lastActivity = w.at(latest)
	} else {
		conv.opened = w.at(min(createdAge, latest+r.Int64N(2*hour)))
		closedAge := latest - r.Int64N(min(latest, 48*hour))
		conv.closed = w.at(closedAge)
		if len(w.agents) > 0 && r.IntN(10) < 4 { // closing logic "keep"
			conv.assignee = assignee()
		}
		c.lastActivity = conv.closed
	}
	c.open, c.assignee = conv.open, conv.assignee
}

func sq(x float64) float64   { return x * x }
func cube(x float64) float64 { return x * x * x }

// email makes a unique address: the local part is built from the name's
// letters and ends with the contact id, which no name contains digits of.
func (w *worker) email(r *rand.Rand, first, last name, id int64, domain string) string {
	f, l := first.ascii, last.ascii
	buf := w.buf[:0]
	switch {
	case f == "" && l == "":
		buf = append(buf, "user"...)
	case l == "":
		buf = append(buf, f...)
	case f == "":
		buf = append(buf, l...)
	default:
		switch r.IntN(6) {
		case 0, 1:
			buf = append(append(append(buf, f...), '.'), l...)
		case 2:
			buf = append(append(buf, f...), l...)
		case 3:
			buf = append(append(append(buf, f[0]), '.'), l...)
		case 4:
			buf = append(append(append(buf, f...), '_'), l...)
		default:
			buf = append(append(append(buf, l...), '.'), f...)
		}
	}
	if r.IntN(20) == 0 { // "Jose.Garcia123@…": the key is case-folded
		buf[0] -= 'a' - 'A'
	}
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(append(buf, '@'), domain...)
	w.buf = buf
	return string(buf)
}

// externalID is the contact's id on channel ch (an index of
// followup.Channels), of the form its driver gives. Phone and email
// channels use the contact's phone and (case-folded) email; the others
// embed a bijective scramble of the contact id, so they are unique per
// channel, and salted by the channel, so one contact's ids differ.
func (w *worker) externalID(r *rand.Rand, ch int, c *contactRow) string {
	f := w.forms[ch]
	salt := uint64(ch+1) * 0x9e3779b97f4a7c15
	switch f.By {
	case channels.ByPhone:
		return c.phone
	case channels.ByEmail:
		return c.emailKey
	}
	buf := append(w.buf[:0], f.Prefix...)
	if f.Alphabet == channels.Digits {
		// A random first digit (never 0), then the id below 10^k scrambled.
		buf = append(buf, byte('1'+r.IntN(9)))
		k := min(f.Len-1, 18)
		buf = appendPadded(buf, permute(c.id, 618_033_988_749_897, salt, k), k)
		buf = appendRandom(r, buf, f.Alphabet, f.Len-1-k)
	} else {
		// The 64 bits of mix(id), k to a character, then random ones.
		k := bits.Len(uint(len(f.Alphabet))) - 1
		x := mix(uint64(c.id) ^ salt)
		n := min(f.Len, (64+k-1)/k)
		for range n {
			buf = append(buf, f.Alphabet[x&(1<<k-1)])
			x >>= k
		}
		buf = appendRandom(r, buf, f.Alphabet, f.Len-n)
		if unused := f.Len*k - f.Bits; f.Bits > 0 && unused > 0 {
			// The last character's bits past the id's are zero.
			last := len(buf) - 1
			buf[last] = f.Alphabet[strings.IndexByte(f.Alphabet, buf[last])&^(1<<unused-1)]
		}
	}
	buf = append(buf, f.Suffix...)
	w.buf = buf
	return string(buf)
}

func appendPadded(buf []byte, x uint64, digits int) []byte {
	start := len(buf)
	for range digits {
		buf = append(buf, '0')
	}
	for i := len(buf) - 1; i >= start && x > 0; i-- {
		buf[i] = byte('0' + x%10)
		x /= 10
	}
	return buf
}

func appendRandom(r *rand.Rand, buf []byte, alphabet string, n int) []byte {
	for range n {
		buf = append(buf, alphabet[r.IntN(len(alphabet))])
	}
	return buf
}
