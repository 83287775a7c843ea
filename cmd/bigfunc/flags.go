package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bigfunc/bigfunc/internal/suggest"
)

func didYouMean(s string, names []string) string { return suggest.DidYouMean(s, names) }

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
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// parse parses args allowing flags before and after positional arguments
// (bigfunc train SPEC --resume), and returns the positional ones. --help
// prints the command's usage and returns errHelp; other mistakes are usage
// errors.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp // the flag package has printed the usage
		}
		if err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
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
		return usagef("%s: missing %s", fs.Name(), strings.Join(names[len(pos):], " and "))
	}
	if len(pos) > len(names) {
		return usagef("%s: unexpected argument %q", fs.Name(), pos[len(names)])
	}
	return nil
}

// required checks that a string flag was given.
func required(fs *flag.FlagSet, name, value string) error {
	if value == "" {
		return usagef("%s: missing --%s", fs.Name(), name)
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
