// Package csvimport reads the contacts CSV of `followup contacts import`
// (PRODUCT.md §3): a header row naming known columns, then one contact per
// row. Bad rows are reported with their line number and reason; good rows
// are kept.
package csvimport

import (
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
var Columns = []string{"first_name", "last_name", "email", "phone", "vip", "channel", "external_id", "last_inbound_at", "conversation_status", "assignee"}

// Limits that keep a hostile file from exhausting memory.
const (
	MaxRows      = 1_000_000
	MaxFieldLen  = 1024
	MaxLineBytes = 16 * 1024
)

// Row is one good row.
type Row struct {
	Line    int
	Contact store.ContactInput
}

// RowError is one bad row.
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Parse reads a whole file. A bad header (unknown or repeated column, no
// column at all) is an error and nothing is imported; a bad row is reported
// and the others are kept. A second row with an email seen earlier in the
// file is reported, not merged.
func Parse(r io.Reader) ([]Row, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, followup.Errorf(followup.EInvalid, "the file is empty: the first row must name the columns (%s)", strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, nil, followup.Errorf(followup.EInvalid, "cannot read the header row: %v", err)
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
	var rows []Row
	var bad []RowError
	emails := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error()})
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					continue
				}
				// After a quoting error the reader cannot resynchronise
				// reliably; stop and report rather than guess.
				return rows, bad, nil
			}
			return rows, bad, fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+len(bad) >= MaxRows {
			bad = append(bad, RowError{Line: line, Reason: fmt.Sprintf("the file has more than %d rows; split it", MaxRows)})
			break
		}
		if blank(rec) {
			continue
		}
		row, reason := parseRow(rec, index, len(header))
		if reason == "" {
			if e := store.EmailKey(row.Email); e != "" {
				if first, seen := emails[e]; seen {
					reason = fmt.Sprintf("email %q is already on line %d", row.Email, first)
				} else {
					emails[e] = line
				}
			}
		}
		if reason != "" {
			bad = append(bad, RowError{Line: line, Reason: reason})
			continue
		}
		rows = append(rows, Row{Line: line, Contact: row})
	}
	return rows, bad, nil
}

func parseRow(rec []string, index map[string]int, width int) (store.ContactInput, string) {
	var c store.ContactInput
	if len(rec) != width {
		return c, fmt.Sprintf("has %d fields, the header has %d", len(rec), width)
	}
	get := func(col string) string {
		if i, ok := index[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for _, f := range rec {
		if len(f) > MaxFieldLen {
			return c, fmt.Sprintf("a field is longer than %d bytes", MaxFieldLen)
		}
		if !utf8.ValidString(f) {
			return c, "a field is not valid UTF-8"
		}
	}
	c.FirstName, c.LastName = get("first_name"), get("last_name")
	c.Email, c.Phone = get("email"), get("phone")
	if c.Phone != "" {
		if _, err := store.NormalizePhone(c.Phone); err != nil {
			return c, followup.ErrorMessage(err)
		}
	}
	if v := get("vip"); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return c, fmt.Sprintf("vip %q is not true or false", v)
		}
		c.VIP = &b
	}
	if v := get("channel"); v != "" {
		ch, err := followup.ParseChannel(strings.ToLower(v))
		if err != nil {
			return c, followup.ErrorMessage(err)
		}
		c.Channel = ch
	}
	c.ExternalID = get("external_id")
	if c.ExternalID != "" && c.Channel == "" {
		return c, "external_id needs a channel"
	}
	if v := get("last_inbound_at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return c, fmt.Sprintf("last_inbound_at %q is not an RFC 3339 time like 2026-11-20T14:05:00Z", v)
		}
		if c.Channel == "" {
			return c, "last_inbound_at needs a channel"
		}
		c.LastInboundAt = &t
	}
	switch v := strings.ToLower(get("conversation_status")); v {
	case "":
	case "open", "closed":
		c.ConvStatus = followup.ConvStatus(v)
	default:
		return c, fmt.Sprintf("conversation_status %q is not open or closed", v)
	}
	c.AssigneeSlackID = get("assignee")
	if c.FirstName == "" && c.LastName == "" && c.Email == "" && c.Phone == "" && c.ExternalID == "" {
		return c, "no name, email, phone or external_id"
	}
	return c, ""
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
