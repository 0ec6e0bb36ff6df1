import { describe, expect, it } from 'vitest';
import { nextStepsText } from '../src/cli/nextSteps.js';

describe('nextStepsText', () => {
  it('names the file the apply was given, unless it is the default', () => {
    expect(nextStepsText('altan.yaml')).toContain('  altan-cloud verify    # ');
    const other = nextStepsText('examples/todo/altan.yaml');
    expect(other.split('\n')).toEqual([
      'next:',
      '  altan-cloud verify examples/todo/altan.yaml    # the requests clients make, as anon and as users A and B, against the access rules',
      '  altan-cloud plan examples/todo/altan.yaml      # after editing the file: what apply would change, and its SQL',
      '  altan-cloud generate examples/todo/altan.yaml  # the SQL transaction itself, to read or run elsewhere',
      '',
    ]);
  });

  it('after apply --embedded, verify and plan carry --embedded too (with CI or DATABASE_URL set they would go elsewhere)', () => {
    expect(nextStepsText('examples/todo/altan.yaml', true).split('\n')).toEqual([
      'next:',
      '  altan-cloud verify --embedded examples/todo/altan.yaml  # the requests clients make, as anon and as users A and B, against the access rules',
      '  altan-cloud plan --embedded examples/todo/altan.yaml    # after editing the file: what apply would change, and its SQL',
      '  altan-cloud generate examples/todo/altan.yaml           # the SQL transaction itself, to read or run elsewhere',
      '',
    ]);
  });

  it('quotes a file name the shell would split, and says nothing for standard input', () => {
    expect(nextStepsText("my app's.yaml")).toContain(`altan-cloud plan 'my app'\\''s.yaml'`);
    expect(nextStepsText('-')).toBe('');
  });
});
