package schema_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/schema"
)

func TestMigrateFromEmptyTwiceAndDown(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", pgtest.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	first, err := schema.Migrate(ctx, db)
	if err != nil {
		t.Fatalf("first migrate: %v", err)
	}
	if len(first.Applied) == 0 || first.Version != first.Applied[len(first.Applied)-1] {
		t.Fatalf("first migrate applied %v, version %d", first.Applied, first.Version)
	}
	second, err := schema.Migrate(ctx, db)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if len(second.Applied) != 0 || second.Version != first.Version {
		t.Fatalf("second migrate applied %v (version %d), want nothing", second.Applied, second.Version)
	}

	var lead string
	if err := db.QueryRowContext(ctx, "SELECT reminder_lead::text FROM settings").Scan(&lead); err != nil {
		t.Fatalf("settings row: %v", err)
	}
	if lead != "01:00:00" {
		t.Errorf("default reminder lead %q", lead)
	}

	if err := schema.Down(ctx, db); err != nil {
		t.Fatalf("down: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('contacts','agents','messages')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d tables left after Down", n)
	}
	// And up again from the rolled-back state.
	if _, err := schema.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate after down: %v", err)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	u := pgtest.Empty(t)
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			db, err := sql.Open("pgx", u)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			_, err = schema.Migrate(ctx, db)
			errs <- err
		}()
	}
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent migrate: %v", err)
		}
	}
}
