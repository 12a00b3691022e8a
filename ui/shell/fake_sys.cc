#include "ui/shell/fake_sys.h"

#include <cstdio>

#include "neuron/errors.h"
#include "neuron/rights.h"
#include "neuron/shell.h"

namespace shell_test {

namespace {

FakeSys *Self(void *ctx) { return static_cast<FakeSys *>(ctx); }

void Write(void *ctx, const char *text, size_t len) {
  Self(ctx)->out.append(text, len);
  Self(ctx)->write_sizes.push_back(len);
}

int64_t GetTask(void *ctx, uint32_t index, shell_task_t *task) {
  FakeSys *f = Self(ctx);
  f->task_calls.push_back(index);
  if (f->task_error && index == f->task_error_at) return f->task_error;
  if (f->endless_tasks) {
    *task = Task("many");
    return NX_OK;
  }
  if (index >= f->tasks.size()) return NX_ERR_NOT_FOUND;
  *task = f->tasks[index];
  return NX_OK;
}

int64_t GetCap(void *ctx, uint32_t index, uint32_t nth, shell_cap_t *cap) {
  FakeSys *f = Self(ctx);
  f->cap_calls.emplace_back(index, nth);
  if (f->cap_error && nth == f->cap_error_at) return f->cap_error;
  if (f->endless_caps) {
    *cap = Cap(nth, NX_OBJ_VMO, 0);
    return NX_OK;
  }
  auto it = f->caps.find(index);
  if (it == f->caps.end() || nth >= it->second.size()) return NX_ERR_NOT_FOUND;
  *cap = it->second[nth];
  return NX_OK;
}

int64_t Span(void *ctx, shell_log_span_t *span) {
  FakeSys *f = Self(ctx);
  if (f->span_error) return f->span_error;
  span->oldest = f->first_seq;
  span->next = f->first_seq + f->records.size();
  return NX_OK;
}

int64_t Read(void *ctx, uint64_t cursor, uint32_t min_level, shell_log_record_t *record) {
  FakeSys *f = Self(ctx);
  f->read_calls.emplace_back(cursor, min_level);
  if (f->read_error && cursor == f->read_error_at) return f->read_error;
  for (uint64_t seq = cursor < f->first_seq ? f->first_seq : cursor;
       seq < f->first_seq + f->records.size(); seq++) {
    const shell_log_record_t &r = f->records[seq - f->first_seq];
    if (r.level < min_level) continue;
    *record = r;
    record->next = f->read_keep_cursor ? cursor : seq + 1;
    return NX_OK;
  }
  return NX_ERR_NOT_FOUND;
}

uint64_t Now(void *ctx) { return Self(ctx)->now; }

int64_t Memory(void *ctx, uint64_t *pages_free, uint64_t *pages_total) {
  const FakeSys *f = Self(ctx);
  if (f->memory_error) return f->memory_error;
  *pages_free = f->pages_free;
  *pages_total = f->pages_total;
  return NX_OK;
}

int64_t Restart(void *ctx, uint32_t index) {
  Self(ctx)->restart_calls.push_back(index);
  return Self(ctx)->restart_error;
}

int64_t Shutdown(void *ctx) {
  Self(ctx)->shutdowns++;
  return Self(ctx)->shutdown_error;
}

}  // namespace

shell_task_t Task(const char *name, uint32_t state, uint32_t restarts, uint32_t threads,
                  uint32_t handles, uint64_t pages_used, uint64_t pages_quota) {
  shell_task_t t{};
  snprintf(t.name, sizeof t.name, "%s", name);
  t.state = state;
  t.restarts = restarts;
  t.threads = threads;
  t.handles = handles;
  t.pages_used = pages_used;
  t.pages_quota = pages_quota;
  return t;
}

shell_cap_t Cap(uint32_t handle, uint32_t type, uint32_t rights) {
  shell_cap_t c{};
  c.handle = handle;
  c.type = type;
  c.rights = rights;
  return c;
}

shell_log_record_t Record(uint64_t badge, uint32_t level, const char *text) {
  shell_log_record_t r{};
  r.badge = badge;
  r.level = level;
  snprintf(r.text, sizeof r.text, "%s", text);
  return r;
}

FakeSys::FakeSys() {
  sys_.ctx = this;
  sys_.write = Write;
  sys_.task = GetTask;
  sys_.cap = GetCap;
  sys_.log_span = Span;
  sys_.log_read = Read;
  sys_.now_ns = Now;
  sys_.memory = Memory;
  sys_.restart = Restart;
  sys_.shutdown = Shutdown;
}

std::string FakeSys::TakeOutput() {
  std::string s = out;
  out.clear();
  return s;
}

int FakeSys::Run(const std::string &line) {
  std::vector<char> buf(line.begin(), line.end());
  buf.push_back('\0');
  return shell_execute(&sys_, buf.data());
}

}  // namespace shell_test
