package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Dashboard is the part of a Grafana dashboard's JSON the checks read.
type Dashboard struct {
	UID    string  `json:"uid"`
	Title  string  `json:"title"`
	Panels []Panel `json:"panels"`
}

// Panel is one dashboard panel and its queries.
type Panel struct {
	Title      string     `json:"title"`
	Datasource Datasource `json:"datasource"`
	Targets    []struct {
		Datasource Datasource `json:"datasource"`
		Expr       string     `json:"expr"`
	} `json:"targets"`
}

// Datasource names a Grafana data source by type and uid.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// ParseDashboard reads a dashboard's JSON.
func ParseDashboard(b []byte) (Dashboard, error) {
	var d Dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("dashboard JSON: %w", err)
	}
	return d, nil
}

// Metrics lists, sorted and once each, the metric names the dashboard's
// queries read.
func (d Dashboard) Metrics() []string {
	var names []string
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			names = append(names, PromQLMetrics(t.Expr)...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

var (
	promStrings   = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	promMatchers  = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	promGroupings = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promVariables = regexp.MustCompile(`\$\{?\w+\}?`)
	promTokens    = regexp.MustCompile(`\d[\w.]*|[A-Za-z_:][\w:]*`)
	promKeywords  = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan", "Inf", "NaN"}
)

// PromQLMetrics lists the metric names a PromQL expression selects: the
// identifiers left once strings, label matchers, ranges, groupings,
// Grafana variables, numbers, keywords and function or aggregation names
// (an identifier followed by "(") are set aside.
func PromQLMetrics(expr string) []string {
	s := promStrings.ReplaceAllString(expr, " ")
	s = promMatchers.ReplaceAllString(s, " ")
	s = promGroupings.ReplaceAllString(s, " ")
	s = promVariables.ReplaceAllString(s, " ")
	var names []string
	for _, loc := range promTokens.FindAllStringIndex(s, -1) {
		tok := s[loc[0]:loc[1]]
		if tok[0] >= '0' && tok[0] <= '9' || slices.Contains(promKeywords, tok) {
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(s[loc[1]:]), "(") {
			continue // a function or an aggregation
		}
		names = append(names, tok)
	}
	return names
}
