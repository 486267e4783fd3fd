#include "integration/mixed_workload.hpp"

namespace libwatch::testing {

std::vector<workload_phase> mixed_workload() {
  return {
    {0,
     {"INSERT INTO posts SELECT i, repeat('t', (i * 397) % 3000), i % 7"
      " FROM generate_series(1, 400) i",
      "INSERT INTO posts VALUES (401, repeat('x', 9000), 1),"
      " (402, 'small \"quoted\" \\ and' || chr(10) || 'newline', 2)",
      "BEGIN; INSERT INTO posts VALUES (999, 'rolled back', 0); ROLLBACK"},
     402},
    // Expected: ids divisible by 3 (134), ids 20-24 (5), the one of ids
    // 30/31 whose likes changed (1).
    {1,
     {"UPDATE posts SET likes = likes + 1 WHERE id % 3 = 0",
      "UPDATE posts SET title = 'renamed' WHERE id % 5 = 0",
      "UPDATE posts SET id = id + 1000 WHERE id BETWEEN 10 AND 19",
      "UPDATE posts SET id = id + 1000, likes = likes + 1"
      " WHERE id BETWEEN 20 AND 24",
      "UPDATE posts SET id = CASE id WHEN 30 THEN 31 ELSE 30 END,"
      " likes = CASE id WHEN 30 THEN likes + 1 ELSE likes END"
      " WHERE id IN (30, 31)",
      "BEGIN; UPDATE posts SET likes = 0; ROLLBACK",
      "UPDATE posts SET likes = likes WHERE id < 100"},
     134 + 5 + 1},
    {2,
     {"DELETE FROM posts WHERE id % 4 = 0 OR id = 401", "DELETE FROM posts"},
     402},
  };
}

} // namespace libwatch::testing
