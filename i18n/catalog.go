package i18n

import (
	"fmt"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// text is one message of the catalog: the English the code writes, which
// is its key, and its Russian.
type text struct {
	en, ru string
}

// count is a message with a count in it: the English key, which argument
// (from 1) is the count, and the forms for each plural category: English
// one and other (none: the key serves both, as "%d touch(es)" does);
// Russian one (1, 21), few (2-4, 22) and many (5-20, 11).
type count struct {
	key string
	arg int
	en  [2]string
	ru  [3]string
}

// tables are the catalog's messages, one table per part of the product.
var tables = [][]text{botTexts, commandTexts, windowTexts, errorTexts, cliTexts, workflowTexts, reportTexts, setupTexts, cobraTexts}

// counts are the messages with plural forms.
var counts = [][]count{botCounts, commandCounts, cliCounts, workflowCounts, reportCounts}

// cat is the catalog, built once from the tables and never changed.
var cat = build()

func build() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("i18n: %v", err))
		}
	}
	for _, table := range tables {
		for _, t := range table {
			must(b.SetString(language.Russian, t.en, t.ru))
		}
	}
	for _, table := range counts {
		for _, c := range table {
			if c.en != ([2]string{}) {
				must(b.Set(language.English, c.key, plural.Selectf(c.arg, "%d",
					plural.One, c.en[0], plural.Other, c.en[1])))
			}
			must(b.Set(language.Russian, c.key, plural.Selectf(c.arg, "%d",
				plural.One, c.ru[0], plural.Few, c.ru[1], plural.Many, c.ru[2], plural.Other, c.ru[2])))
		}
	}
	return b
}
