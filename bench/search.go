package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/followup-dev/followup/store"
)

// sample is a contact the queries are derived from.
type sample struct {
	First, Last, Email, Phone string
	Assignee                  *int64
}

// kind is a kind of query, derived from a sample (false when the sample
// does not fit it).
type kind struct {
	name  string
	query func(s sample, r *rand.Rand) (store.Query, bool)
}

// Search picks real contacts from the database and derives queries of
// each kind from them (name prefix, typo, email prefix, phone suffix; all
// and mine inboxes; closed conversations) plus the broadest three-letter
// first-name prefix, runs each through the product's search (runs per
// kind) and through a naive ILIKE '%q%' scan over the same table
// (naiveRuns per kind), and writes p50/p95 latencies to out. seed picks the sample. It needs a seeded workspace of at least
// 1000 contacts.
func Search(ctx context.Context, st *store.Store, out io.Writer, runs, naiveRuns int, seed int64) error {
	var total int
	if err := st.DB().GetContext(ctx, &total, `SELECT count(*) FROM contacts`); err != nil {
		return err
	}
	if total < 1000 {
		return fmt.Errorf("only %d contacts: seed first (followup seed --contacts 1000000)", total)
	}
	var samples []sample
	// A uniform random sample of closed contacts (the default search).
	pct := min(100, 300000/float64(total))
	err := st.DB().SelectContext(ctx, &samples, fmt.Sprintf(`
		SELECT first_name AS "first", last_name AS "last", coalesce(email, '') AS "email", coalesce(phone, '') AS "phone", assignee_id AS "assignee"
		FROM contacts TABLESAMPLE BERNOULLI (%f) REPEATABLE (%d) WHERE conv_status = 'closed' LIMIT 3000`, pct, seed))
	if err != nil || len(samples) == 0 {
		return fmt.Errorf("pick sample contacts: %v", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	prefix := func(s string, n int) string {
		rs := []rune(store.NameKey(s))
		if len(rs) > n {
			rs = rs[:n]
		}
		return string(rs)
	}
	kinds := []kind{
		{"name prefix (\"jan do\")", func(s sample, r *rand.Rand) (store.Query, bool) {
			return store.Query{Text: prefix(s.First, 3) + " " + prefix(s.Last, 2)}, s.First != "" && s.Last != ""
		}},
		{"first name only (\"jan\")", func(s sample, r *rand.Rand) (store.Query, bool) {
			return store.Query{Text: prefix(s.First, 3)}, s.First != ""
		}},
		{"typo (fuzzy fallback)", func(s sample, r *rand.Rand) (store.Query, bool) {
			full := []rune(store.NameKey(s.First + " " + s.Last))
			if len(full) < 6 {
				return store.Query{}, false
			}
			i := 1 + r.IntN(len(full)-3)
			if full[i] == ' ' || full[i+1] == ' ' || full[i] == full[i+1] {
				return store.Query{}, false
			}
			full[i], full[i+1] = full[i+1], full[i]
			return store.Query{Text: string(full)}, true
		}},
		{"email prefix", func(s sample, r *rand.Rand) (store.Query, bool) {
			at := strings.IndexByte(s.Email, '@')
			return store.Query{Text: s.Email[:at+1]}, at > 0
		}},
		{"phone suffix (7 digits)", func(s sample, r *rand.Rand) (store.Query, bool) {
			d := store.Digits(s.Phone)
			if len(d) < 7 {
				return store.Query{}, false
			}
			return store.Query{Text: d[len(d)-7:len(d)-4] + " " + d[len(d)-4:]}, true
		}},
		{"mine: name prefix", func(s sample, r *rand.Rand) (store.Query, bool) {
			if s.Assignee == nil {
				return store.Query{}, false
			}
			return store.Query{Text: prefix(s.First, 2), Inbox: store.InboxMine, AgentID: *s.Assignee}, true
		}},
	}
	// The hardest name query: the three letters most first names start
	// with ("mar" in seeded data), every match a candidate for the page.
	var broad struct {
		Prefix string `db:"prefix"`
		N      int    `db:"n"`
	}
	if err := st.DB().GetContext(ctx, &broad, `
		SELECT left(first_key, 3) AS prefix, count(*) AS n FROM contacts
		WHERE char_length(first_key) >= 3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`); err != nil {
		return fmt.Errorf("find the broadest first-name prefix: %w", err)
	}
	kinds = append(kinds, kind{fmt.Sprintf("broadest prefix (%q)", broad.Prefix), func(sample, *rand.Rand) (store.Query, bool) {
		return store.Query{Text: broad.Prefix}, true
	}})
	fmt.Fprintf(out, "contacts: %d; sample: %d closed contacts; %d runs per kind (naive: %d); broadest first-name prefix %q: %d first names\n\n",
		total, len(samples), runs, naiveRuns, broad.Prefix, broad.N)
	fmt.Fprintf(out, "%-28s %9s %9s %9s %11s %11s %8s\n", "query kind", "p50", "p95", "max", "naive p50", "naive p95", "speedup")
	for _, k := range kinds {
		var qs []store.Query
		for tries := 0; len(qs) < runs && tries < runs*20; tries++ {
			if q, ok := k.query(samples[r.IntN(len(samples))], r); ok {
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 {
			fmt.Fprintf(out, "%-28s no sample contacts fit\n", k.name)
			continue
		}
		// One warm-up pass so the first query does not pay for cold caches.
		for _, q := range qs[:min(10, len(qs))] {
			if _, err := st.Find(ctx, q); err != nil {
				return err
			}
		}
		fast := make([]time.Duration, 0, len(qs))
		for _, q := range qs {
			t0 := time.Now()
			if _, err := st.Find(ctx, q); err != nil {
				return fmt.Errorf("%s %q: %w", k.name, q.Text, err)
			}
			fast = append(fast, time.Since(t0))
		}
		var naive []time.Duration
		for _, q := range qs[:min(naiveRuns, len(qs))] {
			t0 := time.Now()
			if _, err := st.NaiveFind(ctx, q.Text, store.StatusClosed, store.DefaultLimit); err != nil {
				return err
			}
			naive = append(naive, time.Since(t0))
		}
		p50, p95 := percentile(fast, 50), percentile(fast, 95)
		n50, n95 := percentile(naive, 50), percentile(naive, 95)
		fmt.Fprintf(out, "%-28s %9s %9s %9s %11s %11s %7.0fx\n", k.name, ms(p50), ms(p95), ms(percentile(fast, 100)), ms(n50), ms(n95), float64(n95)/float64(max(p95, time.Microsecond)))
	}
	return nil
}
