package store_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
)

// TestFindBroadPrefixOrder checks that broad name prefixes, which the
// planner may now answer by walking contacts_activity in result order and
// stopping at the page's end, return the same rows in the same order as
// ranking every match: exact before prefix, then most recent activity
// (no activity last), then id. The oracle ranks all rows in Go, the way
// the search did before it had that index. The data has enough rows for
// the planner to prefer the walk for "mar" (ANALYZEd), ties in activity,
// contacts without activity, exact first and last names, last-name-only
// matches, both statuses and two agents.
func TestFindBroadPrefixOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	a, _, err := s.SaveAgent(ctx, followup.Agent{SlackUserID: "UA", Name: "Agent A"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := s.SaveAgent(ctx, followup.Agent{SlackUserID: "UB", Name: "Agent B"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 30000
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// Deterministic but unordered: i*7919 mod a prime spreads names,
	// statuses and activity without correlation to id; activity has 400
	// distinct hours, so many contacts tie on it.
	if _, err := s.DB().ExecContext(ctx, `
		INSERT INTO contacts (first_name, last_name, first_key, last_key, full_key, conv_status, assignee_id, last_activity_at)
		SELECT f, l, lower(f), lower(l), lower(f || ' ' || l),
			CASE WHEN (i * 31) % 10 < 7 THEN 'closed' ELSE 'open' END,
			CASE (i * 17) % 3 WHEN 0 THEN NULL WHEN 1 THEN $2::bigint ELSE $3::bigint END,
			CASE WHEN (i * 13) % 50 = 0 THEN NULL ELSE $4::timestamptz - ((i * 7919) % 400) * interval '1 hour' END
		FROM generate_series(1, $1::int) i,
			LATERAL (SELECT (ARRAY['Mar', 'Maria', 'Mario', 'Marta', 'Mark', 'Ann', 'John', 'Jane', 'Olga', 'Ma'])[1 + (i * 7) % 10] AS f,
				(ARRAY['Martin', 'Marquez', 'Doe', 'Smith', 'Mar', 'Lee', 'Ng', 'Martinez'])[1 + (i * 11) % 8] AS l) names`,
		n, a.ID, b.ID, base); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `VACUUM ANALYZE contacts`); err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID       int64      `db:"id"`
		First    string     `db:"first_key"`
		Last     string     `db:"last_key"`
		Status   string     `db:"conv_status"`
		Assignee *int64     `db:"assignee_id"`
		Activity *time.Time `db:"last_activity_at"`
	}
	var all []row
	if err := s.DB().SelectContext(ctx, &all, `SELECT id, first_key, last_key, conv_status, assignee_id, last_activity_at FROM contacts`); err != nil {
		t.Fatal(err)
	}
	// want ranks every contact as PRODUCT.md §3 says, for queries of one
	// or two lower-case ASCII words.
	want := func(q store.Query) []int64 {
		words := strings.Fields(q.Text)
		type hit struct {
			row
			rank int
		}
		var hits []hit
		for _, r := range all {
			if q.Status != store.StatusAny && r.Status != string(cmp.Or(q.Status, store.StatusClosed)) {
				continue
			}
			if q.Inbox == store.InboxMine && (r.Assignee == nil || *r.Assignee != q.AgentID) {
				continue
			}
			k := strings.Join(words, " ")
			match := strings.HasPrefix(r.First, k) || strings.HasPrefix(r.Last, k)
			exact := r.First == k || r.Last == k
			if len(words) == 2 {
				h, tl := words[0], words[1]
				match = match || strings.HasPrefix(r.First, h) && strings.HasPrefix(r.Last, tl) || strings.HasPrefix(r.Last, h) && strings.HasPrefix(r.First, tl)
				exact = exact || r.First == h && r.Last == tl || r.Last == h && r.First == tl
			}
			if match {
				hits = append(hits, hit{r, map[bool]int{true: 0, false: 1}[exact]})
			}
		}
		slices.SortFunc(hits, func(x, y hit) int {
			if c := cmp.Compare(x.rank, y.rank); c != 0 {
				return c
			}
			switch {
			case x.Activity == nil && y.Activity != nil:
				return 1
			case x.Activity != nil && y.Activity == nil:
				return -1
			case x.Activity != nil && !x.Activity.Equal(*y.Activity):
				return y.Activity.Compare(*x.Activity)
			}
			return cmp.Compare(x.ID, y.ID)
		})
		var ids []int64
		for _, h := range hits[min(q.Offset, len(hits)):min(q.Offset+cmp.Or(q.Limit, store.DefaultLimit), len(hits))] {
			ids = append(ids, h.ID)
		}
		return ids
	}
	var queries []store.Query
	for _, text := range []string{"mar", "ma", "m", "mark", "maria", "mar ma", "ma mar", "martin", "ann ma"} {
		for _, st := range []store.StatusFilter{"", store.StatusOpen, store.StatusAny} {
			for _, page := range []struct{ limit, offset int }{{0, 0}, {20, 20}, {100, 0}, {7, 4000}} {
				queries = append(queries, store.Query{Text: text, Status: st, Limit: page.limit, Offset: page.offset})
			}
		}
		queries = append(queries, store.Query{Text: text, Inbox: store.InboxMine, AgentID: b.ID})
	}
	check := func(how string) {
		for _, q := range queries {
			p, err := s.Find(ctx, q)
			if err != nil {
				t.Fatalf("%s %+v: %v", how, q, err)
			}
			var got []int64
			for _, r := range p.Results {
				got = append(got, r.ID)
			}
			if w := want(q); !slices.Equal(got, w) {
				t.Errorf("%s %+v:\n got %v\nwant %v", how, q, got, w)
			}
		}
	}
	check("as planned")
	// The fallback of a plan that took too long: the same pages.
	store.SortedSearch(s)
	check("read and sorted")
}

// TestSearchTimeoutIsCaught: a search's statement timeout is told apart
// from other errors (Store.rank then asks again, key ranges sorted); one
// within its budget is not cut.
func TestSearchTimeoutIsCaught(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	if timedOut, err := store.Sleep(ctx, s, 2*time.Second, 50*time.Millisecond); err != nil || !timedOut {
		t.Fatalf("a 2 s statement under a 50 ms budget: timed out %v, %v", timedOut, err)
	}
	if timedOut, err := store.Sleep(ctx, s, 10*time.Millisecond, 5*time.Second); err != nil || timedOut {
		t.Fatalf("a 10 ms statement under a 5 s budget: timed out %v, %v", timedOut, err)
	}
}
