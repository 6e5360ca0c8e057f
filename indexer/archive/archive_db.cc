#include "archive/archive_db.h"

#include <sqlite3.h>

#include <filesystem>

#include "archive/schema.h"
#include "archive/store.h"
#include "mail/error.h"

namespace tw {

std::unique_ptr<SQLite::Database> open_archive_db(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string path = (std::filesystem::path(dir) / "archive.db").string();
    try {
        auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db->exec("PRAGMA busy_timeout=10000");  // before WAL: switching needs the database alone for a moment
        db->exec("PRAGMA journal_mode=WAL");
        db->exec(schema::kSql);
        return db;
    } catch (const SQLite::Exception& e) {
        throw StoreError("cannot open the archive " + path + " (" + e.what() + "): check --data DIR");
    }
}

bool is_storage_full(const std::exception& e) {
    if (auto* err = dynamic_cast<const Error*>(&e)) return err->kind() == ErrorKind::StorageFull;
    auto* sql = dynamic_cast<const SQLite::Exception*>(&e);
    return sql && (sql->getErrorCode() & 0xff) == SQLITE_FULL;
}

}  // namespace tw
