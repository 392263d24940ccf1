package seed

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

var testNow = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// open returns a pool on a fresh database with three agents.
func open(t testing.TB, urlSuffix string) (*pgxpool.Pool, []int64) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, pgtest.New(t)+urlSuffix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pool := s.Pool()
	// An autoanalyze running during the VACUUM at the end would leave pages
	// not all-visible, which the tests check.
	if _, err := pool.Exec(ctx, `ALTER TABLE contacts SET (autovacuum_enabled = false);
		ALTER TABLE identities SET (autovacuum_enabled = false);
		ALTER TABLE conversations SET (autovacuum_enabled = false)`); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `INSERT INTO agents (slack_user_id, name) VALUES ('U01', 'Ann'), ('U02', 'Bo'), ('U03', 'Cy') RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	var agents []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		agents = append(agents, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return pool, agents
}

// notAllVisible counts the contacts pages that hold rows but are not marked
// all-visible, so an index-only scan reaching them must visit the heap.
// Pages that concurrent COPYs extended the table by and left empty (all
// zeros) are not counted: VACUUM leaves them unmarked, and no index entry
// points into them.
func notAllVisible(t testing.TB, pool *pgxpool.Pool) int64 {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `CREATE EXTENSION IF NOT EXISTS pg_visibility`); err != nil {
		t.Fatal(err)
	}
	return count(t, pool, `SELECT count(*) FROM pg_visibility_map('contacts') v
		WHERE NOT v.all_visible AND v.blkno IN (SELECT DISTINCT (ctid::text::point)[0]::bigint FROM contacts)`)
}

// enableAutovacuum undoes open's disabling autovacuum, for realistic timings.
func enableAutovacuum(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `ALTER TABLE contacts RESET (autovacuum_enabled);
		ALTER TABLE identities RESET (autovacuum_enabled);
		ALTER TABLE conversations RESET (autovacuum_enabled)`); err != nil {
		t.Fatal(err)
	}
}

func count(t testing.TB, pool *pgxpool.Pool, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func between(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.3f, want between %.3f and %.3f", what, got, lo, hi)
	}
}

func TestSeedInvariants(t *testing.T) {
	for _, skip := range []bool{true, false} {
		t.Run(fmt.Sprintf("skipTriggers=%v", skip), func(t *testing.T) {
			defer func(old bool, size int) { skipTriggers, batchSize = old, size }(skipTriggers, batchSize)
			skipTriggers, batchSize = skip, 300 // several batches on several connections
			testSeedInvariants(t, skip)
		})
	}
}

func testSeedInvariants(t *testing.T, skip bool) {
	ctx := context.Background()
	pool, agents := open(t, "")
	const n = 2000
	var progress []int
	st, err := Run(ctx, pool, Options{Contacts: n, Seed: 42, Now: testNow, Agents: agents, Progress: func(done int) { progress = append(progress, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Contacts != n || st.Conversations != n || st.Identities < n || st.Identities > 4*n {
		t.Fatalf("stats %+v", st)
	}
	// The test role is a superuser, which may skip the triggers.
	if st.TriggersSkipped != skip {
		t.Errorf("TriggersSkipped = %v, want %v", st.TriggersSkipped, skip)
	}
	if st.FirstID != 1 || st.LastID != n {
		t.Errorf("ids %d..%d, want 1..%d", st.FirstID, st.LastID, n)
	}
	if len(progress) == 0 || progress[len(progress)-1] != n {
		t.Errorf("progress %v, want to end at %d", progress, n)
	}
	now := testNow.Truncate(time.Microsecond)

	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT count(*) FROM contacts`, n},
		{`SELECT count(*) FROM conversations`, n},
		{`SELECT count(*) FROM identities`, int64(st.Identities)},
		// One conversation per contact, and the contact row mirrors it.
		{`SELECT count(DISTINCT contact_id) FROM conversations`, n},
		{`SELECT count(*) FROM contacts c JOIN conversations v ON v.contact_id = c.id
		  WHERE c.conv_status <> v.status OR c.assignee_id IS DISTINCT FROM v.assignee_id`, 0},
		{`SELECT count(*) FROM conversations WHERE (status = 'closed') <> (closed_at IS NOT NULL)`, 0},
		// last_activity_at = max(last inbound, closed_at or opened_at).
		{`SELECT count(*) FROM contacts c JOIN conversations v ON v.contact_id = c.id
		  WHERE c.last_activity_at IS DISTINCT FROM greatest(
		    (SELECT max(last_inbound_at) FROM identities i WHERE i.contact_id = c.id),
		    coalesce(v.closed_at, v.opened_at))`, 0},
		{`SELECT count(*) FROM conversations v JOIN contacts c ON c.id = v.contact_id
		  WHERE v.opened_at < c.created_at OR v.closed_at < v.opened_at OR v.closed_at > $1`, 0},
		// Every contact has an identity it last wrote on, a minute to 90 days ago.
		{`SELECT count(*) FROM contacts c WHERE NOT EXISTS (SELECT FROM identities i
		  WHERE i.contact_id = c.id AND i.last_inbound_at IS NOT NULL)`, 0},
		{`SELECT count(*) FROM identities WHERE last_inbound_at > $1::timestamptz - interval '1 minute'
		  OR last_inbound_at < $1::timestamptz - interval '90 days'`, 0},
		{`SELECT count(*) FROM contacts WHERE created_at > last_activity_at OR updated_at <> last_activity_at`, 0},
		// Phone, email and derived identities agree with the contact.
		{`SELECT count(*) FROM identities i JOIN contacts c ON c.id = i.contact_id
		  WHERE i.channel IN ('whatsapp', 'sms', 'viber') AND i.external_id IS DISTINCT FROM c.phone`, 0},
		{`SELECT count(*) FROM identities i JOIN contacts c ON c.id = i.contact_id
		  WHERE i.channel = 'email' AND i.external_id IS DISTINCT FROM c.email_key`, 0},
		{`SELECT count(*) FROM identities WHERE NOT CASE channel
		  WHEN 'messenger' THEN external_id ~ '^[1-9][0-9]{15}$'
		  WHEN 'instagram' THEN external_id ~ '^[1-9][0-9]{16}$'
		  WHEN 'telegram'  THEN external_id ~ '^[1-9][0-9]{9}$'
		  WHEN 'wechat'    THEN external_id ~ '^o[A-Za-z0-9_-]{27}$'
		  WHEN 'line'      THEN external_id ~ '^U[0-9a-f]{32}$'
		  WHEN 'webchat'   THEN external_id ~ '^v-[0-9a-f]{16}$'
		  ELSE true END`, 0},
		{`SELECT count(*) FROM contacts WHERE email IS NOT NULL AND email !~ '^[A-Za-z][a-z._]*[0-9]+@[a-z0-9-]+\.example$'`, 0},
		{`SELECT count(DISTINCT email_key) - count(email) FROM contacts`, 0},
		{`SELECT count(DISTINCT phone) - count(phone) FROM contacts`, 0},
		// Assignees are the given agents, dedicated agents only for VIPs.
		{`SELECT count(*) FROM contacts WHERE assignee_id <> ALL($2) OR dedicated_agent_id <> ALL($2)`, 0},
		{`SELECT count(*) FROM contacts WHERE dedicated_agent_id IS NOT NULL AND NOT vip`, 0},
	} {
		var args []any
		switch {
		case strings.Contains(c.q, "$2"):
			args = []any{now, agents}
		case strings.Contains(c.q, "$1"):
			args = []any{now}
		}
		if strings.Contains(c.q, "$2") && !strings.Contains(c.q, "$1") {
			c.q = strings.ReplaceAll(c.q, "$2", "$1")
			args = args[1:]
		}
		if got := count(t, pool, c.q, args...); got != c.want {
			t.Errorf("%s\n= %d, want %d", c.q, got, c.want)
		}
	}

	f := func(q string) float64 {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		return float64(count(t, pool, q, args...)) / n
	}
	between(t, "VIP share", f(`SELECT count(*) FROM contacts WHERE vip`), 0.03, 0.075)
	between(t, "open share", f(`SELECT count(*) FROM contacts WHERE conv_status = 'open'`), 0.26, 0.34)
	between(t, "no phone", f(`SELECT count(*) FROM contacts WHERE phone IS NULL`), 0.07, 0.13)
	between(t, "no email", f(`SELECT count(*) FROM contacts WHERE email IS NULL`), 0.12, 0.22)
	between(t, "open and assigned", f(`SELECT count(*) FROM contacts WHERE conv_status = 'open' AND assignee_id IS NOT NULL`), 0.24, 0.30)
	between(t, "closed and assigned", f(`SELECT count(*) FROM contacts WHERE conv_status = 'closed' AND assignee_id IS NOT NULL`), 0.24, 0.32)
	between(t, "identities per contact", float64(st.Identities)/n, 1.7, 2.2)
	between(t, "wrote in the last 24h", f(`SELECT count(*) FROM contacts WHERE last_activity_at > $1::timestamptz - interval '1 day'`), 0.15, 0.35)
	between(t, "last wrote over 30 days ago", f(`SELECT count(*) FROM identities i WHERE last_inbound_at < $1::timestamptz - interval '30 days'
		AND last_inbound_at = (SELECT max(last_inbound_at) FROM identities j WHERE j.contact_id = i.contact_id)`), 0.15, 0.45)
	if got := count(t, pool, `SELECT count(DISTINCT channel) FROM identities`); got != 10 {
		t.Errorf("%d channels used, want all 10", got)
	}

	// Search keys are exactly the store's, phones are E.164, and the names
	// come in several scripts.
	rows, err := pool.Query(ctx, `SELECT first_name, last_name, coalesce(email, ''), coalesce(phone, ''),
		first_key, last_key, full_key, coalesce(email_key, ''), coalesce(phone_rev, '') FROM contacts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	scripts := map[string]int{}
	accented := 0
	for rows.Next() {
		var first, last, email, phone, fk, lk, full, ek, pr string
		if err := rows.Scan(&first, &last, &email, &phone, &fk, &lk, &full, &ek, &pr); err != nil {
			t.Fatal(err)
		}
		if fk != store.NameKey(first) || lk != store.NameKey(last) || full != store.FullKey(first, last) ||
			ek != store.EmailKey(email) || pr != store.PhoneRev(phone) {
			t.Errorf("keys of %q %q %q %q: %q %q %q %q %q", first, last, email, phone, fk, lk, full, ek, pr)
		}
		if phone != "" {
			if norm, err := store.NormalizePhone(phone); err != nil || norm != phone || !e164.MatchString(phone) {
				t.Errorf("phone %q is not E.164 (%q, %v)", phone, norm, err)
			}
		}
		if strings.ContainsFunc(first+last, func(r rune) bool { return r > unicode.MaxASCII && unicode.Is(unicode.Latin, r) }) {
			accented++
		}
		for _, s := range []struct {
			name string
			t    *unicode.RangeTable
		}{{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Han", unicode.Han}, {"Greek", unicode.Greek},
			{"Arabic", unicode.Arabic}, {"Hangul", unicode.Hangul}, {"Hiragana", unicode.Hiragana}} {
			if strings.ContainsFunc(first+last, func(r rune) bool { return unicode.Is(s.t, r) }) {
				scripts[s.name]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("scripts %v, %d with accented Latin letters", scripts, accented)
	if len(scripts) < 5 || scripts["Latin"] < n/2 || scripts["Cyrillic"] == 0 || scripts["Han"] == 0 {
		t.Errorf("scripts %v: want mostly Latin, some Cyrillic and Han, at least 5 in all", scripts)
	}
	between(t, "accented Latin names", float64(accented)/n, 0.15, 0.6)

	// The search indexes are usable by index-only scans straight away.
	if got := notAllVisible(t, pool); got != 0 {
		t.Errorf("%d contacts pages holding rows not all-visible after seeding", got)
	}

	// Seeding again adds n more without conflicts, after the existing ids,
	// and the sequences stay ahead of the seeded ids.
	st2, err := Run(ctx, pool, Options{Contacts: n, Seed: 42, Now: testNow, Agents: agents})
	if err != nil {
		t.Fatal(err)
	}
	if st2.FirstID != n+1 || st2.LastID != 2*n {
		t.Errorf("second run ids %d..%d, want %d..%d", st2.FirstID, st2.LastID, n+1, 2*n)
	}
	if got := count(t, pool, `SELECT count(*) FROM contacts`); got != 2*n {
		t.Errorf("%d contacts after seeding twice, want %d", got, 2*n)
	}
	if got := count(t, pool, `INSERT INTO contacts (first_name) VALUES ('New') RETURNING id`); got <= 2*n {
		t.Errorf("a new contact got id %d, inside the seeded range", got)
	}
}

func TestSequencesAfterSeed(t *testing.T) {
	ctx := context.Background()
	pool, _ := open(t, "")
	// A contact and conversation made the ordinary way first.
	if _, err := pool.Exec(ctx, `INSERT INTO contacts (first_name) VALUES ('Before');
		INSERT INTO conversations (contact_id, status) SELECT id, 'open' FROM contacts`); err != nil {
		t.Fatal(err)
	}
	st, err := Run(ctx, pool, Options{Contacts: 500, Seed: 1, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if st.FirstID != 2 || st.LastID != 501 {
		t.Errorf("ids %d..%d, want 2..501", st.FirstID, st.LastID)
	}
	if got := count(t, pool, `SELECT count(*) FROM contacts WHERE assignee_id IS NOT NULL OR dedicated_agent_id IS NOT NULL`); got != 0 {
		t.Errorf("%d contacts assigned with no agents given", got)
	}
	if got := count(t, pool, `INSERT INTO contacts (first_name) VALUES ('After') RETURNING id`); got <= 501 {
		t.Errorf("new contact id %d collides with the seeded range", got)
	}
	if got := count(t, pool, `INSERT INTO conversations (contact_id, status, closed_at) VALUES (1, 'closed', now()) RETURNING id`); got <= 501 {
		t.Errorf("new conversation id %d collides with the seeded range", got)
	}
}

// TestDeterministic seeds fresh databases, in one batch and in many batches
// on one connection, and compares every row.
func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	defer func(size int) { batchSize = size }(batchSize)
	const q = `SELECT md5(string_agg(t, E'\n' ORDER BY t)) FROM (
		SELECT row(c.*)::text AS t FROM contacts c
		UNION ALL SELECT row(i.*)::text FROM identities i
		UNION ALL SELECT row(v.*)::text FROM conversations v) x`
	sum := func(suffix string, seed int64) string {
		pool, agents := open(t, suffix)
		if _, err := Run(ctx, pool, Options{Contacts: 1500, Seed: seed, Now: testNow, Agents: agents}); err != nil {
			t.Fatal(err)
		}
		var s string
		if err := pool.QueryRow(ctx, q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := sum("", 7)
	batchSize = 100
	b := sum("&pool_max_conns=1", 7)
	c := sum("", 8)
	if a != b {
		t.Errorf("same seed, different data: %s %s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same data")
	}
}

func TestBadOptions(t *testing.T) {
	ctx := context.Background()
	pool, agents := open(t, "")
	if _, err := Run(ctx, pool, Options{Contacts: 10, Agents: append(agents, 999)}); err == nil || !strings.Contains(err.Error(), "agent 999 does not exist") {
		t.Errorf("unknown agent: %v", err)
	}
	if _, err := Run(ctx, pool, Options{Contacts: -1}); err == nil {
		t.Error("negative count: no error")
	}
	if _, err := pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence('contacts', 'id'), 99999990)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, pool, Options{Contacts: 10}); err == nil || !strings.Contains(err.Error(), "ids would reach 100000000") {
		t.Errorf("too many ids: %v", err)
	}
	if st, err := Run(ctx, pool, Options{}); err != nil || st.Contacts != 0 {
		t.Errorf("no contacts: %+v, %v", st, err)
	}
	if got := count(t, pool, `SELECT count(*) FROM contacts`); got != 0 {
		t.Errorf("%d contacts written by failed runs", got)
	}
}

// TestOwnTrigger checks that a trigger of the schema's own still fires: the
// foreign-key checks are then not skipped either.
func TestOwnTrigger(t *testing.T) {
	ctx := context.Background()
	pool, agents := open(t, "")
	if _, err := pool.Exec(ctx, `
		CREATE FUNCTION mark() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.first_name := NEW.first_name || '!'; RETURN NEW; END $$;
		CREATE TRIGGER mark BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION mark()`); err != nil {
		t.Fatal(err)
	}
	st, err := Run(ctx, pool, Options{Contacts: 100, Agents: agents})
	if err != nil {
		t.Fatal(err)
	}
	if st.TriggersSkipped {
		t.Error("triggers skipped although contacts has one of its own")
	}
	if got := count(t, pool, `SELECT count(*) FROM contacts WHERE first_name NOT LIKE '%!'`); got != 0 {
		t.Errorf("the trigger did not fire for %d contacts", got)
	}
}

func TestPermute(t *testing.T) {
	for _, a := range []uint64{61_803_397, 618_033_988_749_897, 7_320_508_075_688_773, 414_213_563} {
		seen := make(map[uint64]bool)
		for id := range int64(10_000) {
			x := permute(id, a, 12_345, 4)
			if x >= 10_000 || seen[x] {
				t.Fatalf("permute(%d, %d) = %d: out of range or repeated", id, a, x)
			}
			seen[x] = true
		}
	}
}

func TestNames(t *testing.T) {
	ascii := regexp.MustCompile(`^[a-z]+$`)
	firsts, lasts := 0, 0
	for _, l := range locales {
		for _, n := range append(append([]name(nil), l.male...), l.female...) {
			firsts++
			if n.key != store.NameKey(n.native) || !ascii.MatchString(n.ascii) {
				t.Errorf("first name %+v", n)
			}
		}
		for _, ln := range l.last {
			lasts++
			for _, n := range []name{ln.male, ln.female} {
				if n.key != store.NameKey(n.native) || !ascii.MatchString(n.ascii) {
					t.Errorf("last name %+v", n)
				}
			}
		}
		for _, p := range l.phones {
			for _, pre := range p.prefixes {
				if d := len(p.cc) + len(pre) + 8; d < 7 || d > 15 {
					t.Errorf("+%s %s: %d digits", p.cc, pre, d)
				}
			}
		}
	}
	if firsts < 100 || lasts < 150 {
		t.Errorf("%d first and %d last names, want at least 100 and 150", firsts, lasts)
	}
	if len(locales) != len(localeWeights) {
		t.Fatal("locale weights")
	}
}

// TestSeedMillion seeds 1,000,000 contacts and reports how long it took.
// It runs only with FOLLOWUP_SEED_1M=1 (FOLLOWUP_SEED_N overrides the count).
func TestSeedMillion(t *testing.T) {
	if os.Getenv("FOLLOWUP_SEED_1M") == "" {
		t.Skip("set FOLLOWUP_SEED_1M=1 to seed a million contacts")
	}
	n := 1_000_000
	if v := os.Getenv("FOLLOWUP_SEED_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	pool, agents := open(t, "")
	enableAutovacuum(t, pool)
	last := time.Now()
	st, err := Run(ctx, pool, Options{Contacts: n, Seed: 1, Agents: agents, Progress: func(done int) {
		if time.Since(last) > 10*time.Second {
			t.Logf("%d contacts", done)
			last = time.Now()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d contacts, %d identities, %d conversations in %v (load %v, analyze+vacuum %v): %.0f contacts/s",
		st.Contacts, st.Identities, st.Conversations, st.Duration.Round(time.Millisecond),
		(st.Duration - st.Maintenance).Round(time.Millisecond), st.Maintenance.Round(time.Millisecond),
		float64(st.Contacts)/st.Duration.Seconds())
	if got := count(t, pool, `SELECT count(*) FROM contacts`); got != int64(n) {
		t.Errorf("%d contacts, want %d", got, n)
	}
	if got := notAllVisible(t, pool); got != 0 {
		t.Errorf("%d contacts pages holding rows not all-visible", got)
	}
	if st.Duration > 2*time.Minute {
		t.Errorf("seeding took %v, want under 2 minutes", st.Duration)
	}
}

// BenchmarkSeed measures seeding 50,000 contacts into a database that grows
// with every iteration.
func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	pool, agents := open(b, "")
	const n = 50_000
	b.ResetTimer()
	for i := range b.N {
		if _, err := Run(ctx, pool, Options{Contacts: n, Seed: int64(i), Now: testNow, Agents: agents}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "contacts/s")
}

func TestSeedFillsTheNameDictionary(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Run(ctx, st.Pool(), Options{Contacts: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var missing int
	if err := st.DB().GetContext(ctx, &missing, `SELECT count(*) FROM contacts, unnest(string_to_array(full_key, ' ')) w
		WHERE w <> '' AND NOT EXISTS (SELECT 1 FROM name_words WHERE word = w)`); err != nil {
		t.Fatal(err)
	}
	if missing != 0 {
		t.Fatalf("%d name words missing from the dictionary", missing)
	}
}
