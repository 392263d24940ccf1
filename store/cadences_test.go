package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
)

func renewal(t *testing.T) cadences.Cadence {
	t.Helper()
	c, err := cadences.Parse("Renewal", []string{
		`2d text "Your plan renews on Friday" else template renewal 1="Jane Doe"`,
		`5d template renewal`,
		`10d tag ACCOUNT_UPDATE "Your card on file expires" else template card_expiry`,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.CreatedBy = "U0SUPER"
	return c
}

func TestCadences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)

	_, err := s.Cadence(ctx, "renewal")
	if followup.ErrorCodeOf(err) != followup.ENotFound || !strings.Contains(err.Error(), "followup cadences add") {
		t.Fatalf("none defined: %v", err)
	}
	if list := must[[]cadences.Cadence](t)(s.Cadences(ctx)); len(list) != 0 {
		t.Fatalf("cadences of an empty database: %+v", list)
	}

	want := renewal(t)
	before := time.Now()
	if err := s.SaveCadence(ctx, want); err != nil {
		t.Fatal(err)
	}
	got := must[cadences.Cadence](t)(s.Cadence(ctx, " RENEWAL "))
	if got.CreatedAt.Before(before.Add(-time.Minute)) || got.CreatedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("created_at %v", got.CreatedAt)
	}
	got.CreatedAt = time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n got %#v\nwant %#v", got, want)
	}

	again := want
	again.Name = "RENEWAL"
	err = s.SaveCadence(ctx, again)
	if followup.ErrorCodeOf(err) != followup.EConflict || !strings.Contains(err.Error(), `a cadence named "renewal" exists; remove it first (followup cadences remove renewal) or pick another name`) {
		t.Fatalf("save twice: %v", err)
	}

	trial := must[cadences.Cadence](t)(cadences.Parse("trial-ending", []string{`1d text "Your trial ends tomorrow"`}))
	trial.CreatedBy = "cli"
	if err := s.SaveCadence(ctx, trial); err != nil {
		t.Fatal(err)
	}
	list := must[[]cadences.Cadence](t)(s.Cadences(ctx))
	if len(list) != 2 || list[0].Name != "renewal" || list[1].Name != "trial-ending" || len(list[0].Steps) != 3 || list[1].CreatedBy != "cli" {
		t.Fatalf("list: %+v", list)
	}

	_, err = s.Cadence(ctx, "renewals")
	if followup.ErrorCodeOf(err) != followup.ENotFound || !strings.Contains(err.Error(), `no cadence named "renewals"; the cadences are: renewal, trial-ending`) {
		t.Fatalf("unknown name: %v", err)
	}

	if err := s.RemoveCadence(ctx, "Renewal"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveCadence(ctx, "renewal"); followup.ErrorCodeOf(err) != followup.ENotFound || !strings.Contains(err.Error(), "the cadences are: trial-ending") {
		t.Fatalf("remove twice: %v", err)
	}
	// Removed, the name is free again.
	if err := s.SaveCadence(ctx, want); err != nil {
		t.Fatalf("save after remove: %v", err)
	}
}

func TestSaveCadenceValidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	c := renewal(t)
	c.Steps[1].After = time.Hour // before step 1
	if err := s.SaveCadence(ctx, c); followup.ErrorCodeOf(err) != followup.EInvalid || !strings.Contains(err.Error(), "step 2 (1h) must come after step 1 (2d)") {
		t.Fatalf("decreasing offsets: %v", err)
	}
	c = renewal(t)
	c.Name = "no spaces"
	if err := s.SaveCadence(ctx, c); followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("bad name: %v", err)
	}
	c = renewal(t)
	c.CreatedBy = " "
	if err := s.SaveCadence(ctx, c); followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("no creator: %v", err)
	}
	if list := must[[]cadences.Cadence](t)(s.Cadences(ctx)); len(list) != 0 {
		t.Fatalf("refused cadences were saved: %+v", list)
	}
}

func TestCadenceNotFoundListsAtMostTwenty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	for i := range 25 {
		c := must[cadences.Cadence](t)(cadences.Parse(fmt.Sprintf("c%02d", i), []string{`1d text "x"`}))
		c.CreatedBy = "cli"
		if err := s.SaveCadence(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Cadence(ctx, "nope")
	if msg := followup.ErrorMessage(err); !strings.Contains(msg, "c00, c01") || !strings.Contains(msg, "c19, … (followup cadences list shows them all)") || strings.Contains(msg, "c20") {
		t.Fatalf("not found among many: %v", err)
	}
}
