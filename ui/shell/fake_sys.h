// A shell_sys_t for host tests: services as plain data, every call able
// to fail, the console as a string.
#ifndef UI_SHELL_FAKE_SYS_H
#define UI_SHELL_FAKE_SYS_H

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "neuron/shell_sys.h"

namespace shell_test {

shell_task_t Task(const char *name, uint32_t state = SHELL_TASK_RUNNING, uint32_t restarts = 0,
                  uint32_t threads = 1, uint32_t handles = 3, uint64_t pages_used = 20,
                  uint64_t pages_quota = 32);

shell_cap_t Cap(uint32_t handle, uint32_t type, uint32_t rights);

shell_log_record_t Record(uint64_t badge, uint32_t level, const char *text);

class FakeSys {
 public:
  FakeSys();

  const shell_sys_t *sys() const { return &sys_; }

  // The console output so far, taken (cleared).
  std::string TakeOutput();

  // Runs one command line through shell_execute; returns its result.
  int Run(const std::string &line);

  std::string out;
  std::vector<size_t> write_sizes;  // one per write call

  std::vector<shell_task_t> tasks;
  int64_t task_error = 0;  // returned at task_error_at
  uint32_t task_error_at = 0;
  std::vector<uint32_t> task_calls;  // the indexes asked for
  bool endless_tasks = false;        // never NX_ERR_NOT_FOUND

  // Capabilities by task index, nth first.
  std::map<uint32_t, std::vector<shell_cap_t>> caps;
  int64_t cap_error = 0;  // returned at cap_error_at
  uint32_t cap_error_at = 0;
  bool endless_caps = false;                             // never NX_ERR_NOT_FOUND
  std::vector<std::pair<uint32_t, uint32_t>> cap_calls;  // (index, nth)

  // Log records: record i has sequence number first_seq + i.
  std::vector<shell_log_record_t> records;
  uint64_t first_seq = 0;
  int64_t span_error = 0;
  int64_t read_error = 0;  // returned at read_error_at
  uint64_t read_error_at = 0;
  bool read_keep_cursor = false;                          // next = the cursor asked for
  std::vector<std::pair<uint64_t, uint32_t>> read_calls;  // (cursor, min_level)

  uint64_t now = 0;
  uint64_t pages_free = 0, pages_total = 0;
  int64_t memory_error = 0;
  int64_t restart_error = 0;
  std::vector<uint32_t> restart_calls;
  int64_t shutdown_error = 0;
  int shutdowns = 0;

 private:
  shell_sys_t sys_;
};

}  // namespace shell_test

#endif
