package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"

	// Registers the MNIST files that come with the module cache, for
	// specs with `mnist: {}`.
	_ "github.com/bigfunc/bigfunc/data/mnistdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks bad usage (exit status 2) as opposed to a failure.
// shown says the usage has been printed already, so the pointer to
// 'bigfunc help' would only repeat it; cmd names the command whose help
// the pointer should name instead.
type usageError struct {
	msg   string
	shown bool
	cmd   string
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// errHelp reports that help was printed on request: success, not failure.
var errHelp = errors.New("help requested")

// exitCode prints err as one line and maps it to the exit status.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	}
	// One line, whatever the error carries: multi-line causes are joined.
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	fmt.Fprintln(stderr, "bigfunc: "+msg)
	var ue *usageError
	if errors.As(err, &ue) {
		switch {
		case ue.shown:
		case ue.cmd != "":
			fmt.Fprintf(stderr, "Run 'bigfunc %s --help' for usage.\n", ue.cmd)
		default:
			fmt.Fprintln(stderr, "Run 'bigfunc help' for usage.")
		}
		return 2
	}
	return 1
}

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch: its streams. Commands never use os.Stdout
// directly, so tests can run them in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

var commands []command

func init() {
	commands = []command{
		{"train", "SPEC [--resume]", "train the model a spec file describes and save it", cmdTrain},
		{"predict", "--model MODEL --input CSV", "write the model's predictions for a CSV as CSV", cmdPredict},
		{"eval", "--model MODEL --data CSV", "report the model's loss and metrics on a labelled CSV", cmdEval},
		{"sample", "--model G -n N [-o FILE]", "draw samples from a trained GAN generator as CSV or a grid", cmdSample},
		{"inspect", "MODEL", "show a saved model's architecture, shapes and parameter counts", cmdInspect},
		{"check", "SPEC", "validate a spec file without training", cmdCheck},
		{"draw", "--model MODEL -o FILE", "draw a saved model's network with its weights, or its attention for --prompt (SVG, PNG or PDF)", cmdDraw},
		{"generate", "--model MODEL --prompt TEXT", "continue a prompt with a model trained on text or a sequence task", cmdGenerate},
		{"book", "figures|check", "the chapter: draw its figures, or check its claims", cmdBook},
		{"rl", "train|eval|play|replay|curve", "reinforcement learning: train, evaluate and watch agents", cmdRL},
		{"playground", "[--addr ADDR]", "serve the interactive playground page", cmdPlayground},
		{"export", "--model MODEL -o FILE", "write a saved model as an ONNX graph", cmdExport},
		{"import", "MODEL.onnx -o FILE", "read an ONNX graph into a bigfunc model file", cmdImport},
		{"quantize", "--model MODEL -o FILE", "write a copy of a model with int8 weights, for faster inference", cmdQuantize},
		{"version", "", "print the version of bigfunc and of Go it was built with", cmdVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return &usageError{msg: "no command given", shown: true}
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			for _, c := range commands {
				if c.name == args[1] {
					return c.run(ctx, e, []string{"--help"})
				}
			}
		}
		usage(stdout)
		return errHelp
	}
	if name == "--version" || name == "-version" {
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	// A near miss gets a suggestion and nothing else; anything further
	// off gets the whole usage, since a guess would only mislead.
	if c := closeName(name, names); c != "" {
		return usagef("unknown command %q (did you mean %q?)", name, c)
	}
	usage(stderr)
	fmt.Fprintln(stderr)
	return &usageError{msg: fmt.Sprintf("unknown command %q", name), shown: true}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "bigfunc: a neural network is one big function.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  bigfunc %-10s %-28s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'bigfunc COMMAND --help' for a command's options.")
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "", "print the version of bigfunc and of Go it was built with")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, versionString(info))
	return nil
}

// versionString describes a build: the module version when it was built
// from a published module, else "devel", with the VCS revision, its time
// and whether the tree had changes when the build recorded them, and the
// Go version.
func versionString(info *debug.BuildInfo) string {
	v := "devel"
	var extra []string
	if info != nil {
		if mv := info.Main.Version; mv != "" && mv != "(devel)" {
			v = mv
		}
		set := map[string]string{}
		for _, s := range info.Settings {
			set[s.Key] = s.Value
		}
		if r := set["vcs.revision"]; r != "" {
			extra = append(extra, r[:min(len(r), 12)])
		}
		if t := set["vcs.time"]; t != "" {
			extra = append(extra, t)
		}
		if set["vcs.modified"] == "true" {
			extra = append(extra, "modified")
		}
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return "bigfunc " + v + " " + runtime.Version()
}
