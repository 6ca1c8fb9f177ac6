package org.sparkpeft.job.batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition processed {@code size} items at a time (model work wants batches; a partition may not fit in memory):
 * the output of each chunk streams out before the next chunk is read.
 */
public final class Chunks {

  private Chunks() {}

  public static <T, R> Iterator<R> map(Iterator<T> in, int size, Function<List<T>, List<R>> chunk) {
    return new Iterator<>() {
      private Iterator<R> out = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!out.hasNext() && in.hasNext()) {
          List<T> items = new ArrayList<>(size);
          while (in.hasNext() && items.size() < size) {
            items.add(in.next());
          }
          out = chunk.apply(items).iterator();
        }
        return out.hasNext();
      }

      @Override
      public R next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return out.next();
      }
    };
  }
}
