package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bigfunc/bigfunc/internal/suggest"
)

func didYouMean(s string, names []string) string { return suggest.DidYouMean(s, names) }

// closeName returns the name s is a near miss of, or "": one edit away
// (a swapped pair of letters counts as one), or two for names of six
// letters or more. Anything further is more likely another word than a
// typo, and suggesting it would mislead.
func closeName(s string, names []string) string {
	ls := strings.ToLower(s)
	for _, n := range names {
		d := editDistance(ls, strings.ToLower(n))
		if d <= 1 || (d == 2 && utf8.RuneCountInString(s) >= 6) {
			return n
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours, each counting one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// dash returns a flag's name as the help and messages write it: two dashes
// for words (--resume), one for a letter (-o). Both forms are accepted.
func dash(name string) string {
	if utf8.RuneCountInString(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// newFlags returns a flag set for a command whose help goes to stdout.
func newFlags(e *env, name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := e.stdout
		fmt.Fprintf(w, "Usage: bigfunc %s %s\n\n%s.\n", name, args, strings.ToUpper(summary[:1])+summary[1:])
		has := false
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintln(w, "\nOptions:")
			printDefaults(w, fs)
		}
	}
	return fs
}

// printDefaults lists a flag set's options as flag.PrintDefaults does, but
// with the dashes the command's help and README use.
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  " + dash(f.Name)
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintln(w, line)
		if def := f.DefValue; def != "" && def != "false" && def != "0" {
			if _, err := strconv.ParseFloat(def, 64); err != nil {
				def = strconv.Quote(def) // a string, as flag.PrintDefaults shows it
			}
			usage += " (default " + def + ")"
		}
		fmt.Fprintf(w, "    \t%s\n", strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// flagError rewrites the flag package's messages with the dashes the help
// shows, and suggests a flag for a near miss.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		msg = "unknown flag " + dash(name)
		if c := closeName(name, names); c != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", dash(c))
		}
		if len(names) > 0 {
			for i, n := range names {
				names[i] = dash(n)
			}
			msg += "; allowed: " + strings.Join(names, ", ")
		}
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		msg = "flag " + dash(strings.TrimLeft(name, "-")) + " needs a value"
	} else if i := strings.Index(msg, " for flag -"); i >= 0 {
		// invalid value "x" for flag -epochs: parse error
		rest := msg[i+len(" for flag -"):]
		name, why, _ := strings.Cut(rest, ": ")
		msg = dash(name) + ": " + msg[:i]
		if why == "parse error" {
			msg += ", want " + kindOf(fs.Lookup(name))
		} else if why != "" {
			msg += ": " + why
		}
	}
	return cmdUsagef(fs, "%s: %s", fs.Name(), msg)
}

// cmdUsagef is a usage error of the command fs parses for: its message
// points to that command's help.
func cmdUsagef(fs *flag.FlagSet, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), cmd: fs.Name()}
}

// kindOf names what a flag's value must be, for a message.
func kindOf(f *flag.Flag) string {
	if f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case int, int64:
				return "an integer"
			case uint, uint64:
				return "a non-negative integer"
			case float64:
				return "a number"
			case bool:
				return "true or false"
			case time.Duration:
				return "a duration such as 30s or 5m"
			}
		}
	}
	return "a valid value"
}

// parse parses args allowing flags before and after positional arguments
// (bigfunc train SPEC --resume), and returns the positional ones. --help
// prints the command's usage and returns errHelp; other mistakes are usage
// errors.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	// The flag package shows the usage on every mistake; here it is shown
	// only on request, and a mistake is one line.
	show := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = show }()
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			show()
			return nil, errHelp
		}
		if err != nil {
			return nil, flagError(fs, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exactArgs checks the number of positional arguments.
func exactArgs(fs *flag.FlagSet, pos []string, names ...string) error {
	if len(pos) < len(names) {
		return cmdUsagef(fs, "%s: missing %s", fs.Name(), strings.Join(names[len(pos):], " and "))
	}
	if len(pos) > len(names) {
		return cmdUsagef(fs, "%s: unexpected argument %q", fs.Name(), pos[len(names)])
	}
	return nil
}

// required checks that a string flag was given.
func required(fs *flag.FlagSet, name, value string) error {
	if value == "" {
		return cmdUsagef(fs, "%s: missing %s", fs.Name(), dash(name))
	}
	return nil
}

// parseExact parses args as parse does and checks that exactly the named
// positional arguments were given.
func parseExact(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	pos, err := parse(fs, args)
	if err == nil {
		err = exactArgs(fs, pos, names...)
	}
	return pos, err
}
