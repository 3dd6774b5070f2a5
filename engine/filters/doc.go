// Package filters holds the standard Liquid filters with Shopify/Ruby Liquid semantics, as the
// Golden Liquid conformance suite checks them, plus mailmold's raw/safe opt-out of
// auto-escaping. Every filter is a Func found by name with Lookup; it checks its argument count
// and keyword names and reports bad arguments as an *ArgError ("filter <name>: <msg>"). Every
// filter is registered with input/expected examples (Examples) that the tests run.
//
// Values are those of engine/value. Filters never modify their input and never panic.
//
// Strings (the input written as text first; nil is ""):
//
//	append, prepend            join two texts
//	upcase, downcase           change case
//	capitalize                 first character upper case, the rest lower case (Shopify)
//	strip, lstrip, rstrip      remove ASCII whitespace (and NUL) at the ends
//	strip_newlines             remove \n and \r\n
//	remove, remove_first, remove_last
//	replace, replace_first, replace_last
//	truncate                   to n characters (default 50) including the ellipsis ("...")
//	truncatewords              to n words (default 15), then the ellipsis
//	split                      Ruby's String#split: " " splits on whitespace runs, "" into
//	                           characters, trailing empty strings dropped
//	slice                      offset (negative from the end) and length; lists give lists
//	size                       characters of a text, items of a list or map
//
// HTML and URLs:
//
//	escape (alias h)           escape & < > " ' (SafeHTML)
//	escape_once                escape, leaving existing entities (SafeHTML)
//	newline_to_br              <br /> before each newline; plain text is escaped first (SafeHTML)
//	strip_html                 remove tags, comments, script and style blocks
//	url_encode, url_decode     Ruby's CGI.escape / CGI.unescape (space is +)
//	base64_encode, base64_decode, base64_url_safe_encode, base64_url_safe_decode
//	raw, safe                  mark text as HTML that is written without escaping (SafeHTML)
//	json                       the value as compact JSON
//
// Numbers (numeric text parses; anything else is 0). Two ints give an int (division and modulo
// floor, as Ruby); otherwise the decimal values are used, so 10.1 | minus: 2.2 is 7.9:
//
//	plus, minus, times, divided_by, modulo (division by zero is an error)
//	abs, ceil, floor, round (places, default 0: an int), at_least, at_most
//
// Lists (the input flattened; a single value or a map counts as a one-item list):
//
//	first, last, join (default " "), reverse, concat, compact, uniq, map, sum
//	sort                       numbers and texts in order, nil last; mixed types are an error
//	sort_natural               as text, ignoring ASCII case
//	where, reject, find, find_index, has
//	                           items whose property is truthy, or equals the second argument
//
// Others:
//
//	date                       Strftime on a time.Time, "now"/"today", unix seconds, or a
//	                           date in a common written form; other input is returned as is
//	default                    the argument when the input is nil, false or empty
//	                           (allow_false: true keeps false)
//	truthy, falsy              Handlebars truthiness (nil, false, 0, "", [] are false)
package filters
