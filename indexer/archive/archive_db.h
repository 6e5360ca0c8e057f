// The archive database for the modules that keep their own tables in it
// (accounts and sync state, web users and sessions): one way to open it.
// Include only from .cc files that own SQL.
#pragma once
#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <string>

namespace tw {

// DIR/archive.db in WAL mode, with a busy timeout (sync, import and the web
// server write from several processes) and every table of archive_schema.h.
// Throws StoreError with a hint.
std::unique_ptr<SQLite::Database> open_archive_db(const std::string& dir);

}  // namespace tw
