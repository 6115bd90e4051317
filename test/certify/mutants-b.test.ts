import { describe, it } from 'vitest';
import { certifyMutant, MUTANTS } from './mutants.js';

// The mutants are split over two files so vitest's two workers certify them side by side.
describe.each(MUTANTS.filter((_, i) => i % 2 === 1))('faulty provider %s', (name) => {
  it(
    'fails exactly the requirements it declares and passes all the others',
    () => certifyMutant(name),
    25 * 60_000,
  );
});
