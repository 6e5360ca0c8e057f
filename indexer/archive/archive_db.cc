#include "archive/archive_db.h"

#include <filesystem>

#include "archive/schema.h"
#include "archive/store.h"

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

}  // namespace tw
