package check

import (
	"fmt"
	"path"
	"strings"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// dialectOf returns the dialect file is written in: the template's own (front matter may
// set it), or for a partial its file ending, as the engine reads it.
func dialectOf(tpl *engine.Template, file string) string {
	if file == tpl.Name || path.Ext(file) == "" {
		return tpl.Dialect
	}
	return engine.DialectOf(file)
}

// writtenName returns how the user wrote the field name at pos: Mailchimp merge tags name
// fields in capitals (FNAME for first_name); the other dialects write the path itself.
func writtenName(tpl *engine.Template, file string, pos tree.Pos, name string) string {
	if dialectOf(tpl, file) != "mailchimp" {
		return name
	}
	if file == tpl.Name && pos.Line > 0 {
		if off := diag.NewLines(tpl.Source).Offset(pos.Line, pos.Col); off >= 0 {
			end := off
			for end < len(tpl.Source) && (isASCIILetter(tpl.Source[end]) || tpl.Source[end] == '_' || tpl.Source[end] >= '0' && tpl.Source[end] <= '9') {
				end++
			}
			if end > off {
				return tpl.Source[off:end]
			}
		}
	}
	return strings.ToUpper(name)
}

// fallbackHint says how to give an output a fallback in dialect.
func fallbackHint(dialect, name string) string {
	switch dialect {
	case "handlebars":
		return fmt.Sprintf(`write {{default %s "…"}}`, name)
	case "mustache":
		return fmt.Sprintf(`wrap it in {{#%s}}…{{/%s}} and add {{^%s}}a fallback{{/%s}}`, name, name, name, name)
	case "mailchimp":
		return fmt.Sprintf(`wrap it: *|IF:%s|*…*|%s|*…*|ELSE:|*a fallback*|END:IF|*`, name, name)
	}
	return fmt.Sprintf(`write {{ %s | default: "…" }}`, name)
}

// guardHint says how to write an optional field in dialect: with a fallback or only when
// it is there.
func guardHint(dialect, name string) string {
	switch dialect {
	case "handlebars":
		return fmt.Sprintf(`write {{default %s "…"}} or wrap it in {{#if %s}}`, name, name)
	case "liquid":
		return fmt.Sprintf(`write {{ %s | default: "…" }} or wrap it in {%% if %s %%}`, name, name)
	}
	return fallbackHint(dialect, name)
}

// elseHint says how to add an else branch in dialect.
func elseHint(dialect string) string {
	switch dialect {
	case "handlebars":
		return "add {{else}} with content for everyone else"
	case "mailchimp":
		return "add *|ELSE:|* with content for everyone else"
	case "mustache":
		return "add an inverted section {{^…}} with content for everyone else"
	}
	return "add {% else %} with content for everyone else"
}
