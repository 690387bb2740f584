package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"newsdesk/enrich/dedup"
	"newsdesk/enrich/section"
	"newsdesk/enrich/story"
	"newsdesk/recommend"
)

const evalUsage = `usage:
  newsdesk eval sections FILE.jsonl [--train DEV.jsonl] [--score]   Reuters-21578 JSONL → {"newid", "places"} per line
  newsdesk eval stories FILE.tsv [--score]                          UCI News Aggregator TSV → ID<TAB>STORY_KEY, decided on arrival
  newsdesk eval duplicates FILE.tsv [--score]                       MSR paraphrase TSV → ID1<TAB>ID2<TAB>SCORE<TAB>0|1
  newsdesk eval recommend FILE.csv [--baseline popular|itemknn] [--score]
                                                                    Globo click log → user<TAB>timestamp<TAB>top ten
Predictions go to stdout; with --score the metrics go to stderr. Gold-label
columns in the input are never used to decide, only to score.`

// eval runs newsdesk's understanding on a data set file, as ingest would,
// and prints its decisions so that any scorer can grade them.
func (m *Main) eval(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return &exitError{2, errors.New(evalUsage)}
	}
	task := args[0]
	fs := flag.NewFlagSet("eval "+task, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	score := fs.Bool("score", false, "print the metrics on stderr")
	train := fs.String("train", "", "sections: a Reuters-21578 JSONL file to learn from (the dev file)")
	baseline := fs.String("baseline", "", "recommend: popular or itemknn instead of newsdesk's recommender")
	// Accept flags before or after the file name.
	var file string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return &exitError{2, fmt.Errorf("eval %s: one input file, got %q and %q", task, file, fs.Arg(0))}
		}
		file, rest = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		return &exitError{2, errors.New(evalUsage)}
	}
	in, err := openInput(m, file)
	if err != nil {
		return fmt.Errorf("eval %s: %w", task, err)
	}
	defer in.Close()
	out := bufio.NewWriterSize(m.Stdout, 1<<16)
	defer out.Flush()
	var scoreTo io.Writer = io.Discard
	if *score {
		scoreTo = m.Stderr
	}
	switch task {
	case "sections":
		var dev io.Reader
		if *train != "" {
			f, err := os.Open(*train)
			if err != nil {
				return fmt.Errorf("eval sections: --train: %w", err)
			}
			defer f.Close()
			dev = f
		}
		err = section.EvalReuters(in, out, scoreTo, dev)
	case "stories":
		err = story.EvalUCI(in, out, scoreTo)
	case "duplicates":
		err = dedup.EvalMSRP(in, out, scoreTo)
	case "recommend":
		switch *baseline {
		case "", "popular", "itemknn":
		default:
			return &exitError{2, fmt.Errorf("eval recommend: unknown --baseline %q (popular or itemknn)", *baseline)}
		}
		err = recommend.EvalClicks(in, out, scoreTo, *baseline)
	default:
		return &exitError{2, fmt.Errorf("eval: unknown task %q\n%s", task, evalUsage)}
	}
	if err != nil {
		return fmt.Errorf("eval %s: %w", task, err)
	}
	return out.Flush()
}

func openInput(m *Main, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(m.Stdin), nil
	}
	return os.Open(name)
}
