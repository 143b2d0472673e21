//! The statements that several of the store's transactions run (inserting an account or a
//! token, checking that an identifier or address is free, revoking sessions), as inherent
//! methods of each backend. A macro for the same reason as `impl_store!` (the backends' types
//! differ, the SQL does not), expanded by it so that its names resolve in `sql.rs`.

macro_rules! impl_statements {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Binds an organisation's profile, name to website (13 values), in the column
            /// order that both the INSERT and the UPDATE of `organisations` list.
            fn bind_profile<'q>(
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
                o: &Organisation,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
                query
                    .bind(o.name.as_str().to_owned())
                    .bind(categories_to_storage(&o.categories))
                    .bind(o.siret.as_str().to_owned())
                    .bind(i64::from(o.population.get()))
                    .bind(o.canton.name())
                    .bind(o.representative.title.as_str())
                    .bind(o.representative.civility.as_str())
                    .bind(o.representative.first_name.as_str().to_owned())
                    .bind(o.representative.last_name.as_str().to_owned())
                    .bind(o.admin_referent.civility.as_str())
                    .bind(o.admin_referent.first_name.as_str().to_owned())
                    .bind(o.admin_referent.last_name.as_str().to_owned())
                    .bind(o.website.as_ref().map(|w| w.as_str().to_owned()))
            }

            /// [`StoreError::Taken`] when another account than `except` uses the identifier or
            /// the address (identifier first, as the form lists it first).
            async fn check_unique(
                tx: &mut Transaction<'static, $db>,
                identifier: Option<&str>,
                email: &str,
                except: Option<Uuid>,
            ) -> Result<(), StoreError> {
                let except = except.map(|id| id.to_string()).unwrap_or_default();
                if let Some(identifier) = identifier {
                    let used: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM accounts WHERE identifier_normalized = $1 AND id <> $2",
                    )
                    .bind(identifier)
                    .bind(&except)
                    .fetch_one(&mut **tx)
                    .await?;
                    if used > 0 {
                        return Err(StoreError::Taken(Unique::Identifier));
                    }
                }
                let used: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM accounts WHERE email_normalized = $1 AND id <> $2",
                )
                .bind(email)
                .bind(&except)
                .fetch_one(&mut **tx)
                .await?;
                if used > 0 {
                    return Err(StoreError::Taken(Unique::Email));
                }
                Ok(())
            }

            async fn insert_account(
                tx: &mut Transaction<'static, $db>,
                account: &Account,
            ) -> Result<(), StoreError> {
                Self::check_unique(
                    tx,
                    Some(&account.identifier.normalized()),
                    &account.email.normalized(),
                    None,
                )
                .await?;
                sqlx::query(
                    "INSERT INTO accounts (id, organisation_id, identifier, identifier_normalized, \
                     email, email_normalized, pending_email, first_name, last_name, phone, role, \
                     status, password_hash, rejection_reason, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                )
                .bind(account.id.to_string())
                .bind(account.organisation_id.map(|id| id.to_string()))
                .bind(account.identifier.as_str())
                .bind(account.identifier.normalized())
                .bind(account.email.as_str())
                .bind(account.email.normalized())
                .bind(account.pending_email.as_ref().map(|e| e.as_str().to_owned()))
                .bind(&account.first_name)
                .bind(&account.last_name)
                .bind(account.phone.as_ref().map(|p| p.as_str().to_owned()))
                .bind(account.role.as_str())
                .bind(account.status.as_str())
                .bind(&account.password_hash)
                .bind(&account.rejection_reason)
                .bind(account.created_at)
                .bind(account.updated_at)
                .execute(&mut **tx)
                .await
                .map_err(from_write)?;
                Ok(())
            }

            async fn insert_token(
                tx: &mut Transaction<'static, $db>,
                token: &NewToken,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO one_time_tokens (token_hash, account_id, purpose, expires_at, \
                     used_at, payload, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
                )
                .bind(&token.hash)
                .bind(token.account_id.to_string())
                .bind(token.purpose.as_str())
                .bind(token.expires_at)
                .bind(&token.payload)
                .bind(token.created_at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn insert_refresh(
                tx: &mut Transaction<'static, $db>,
                token: &NewRefreshToken,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO refresh_tokens (token_hash, account_id, family_id, expires_at, \
                     revoked_at, replaced_by, created_at) VALUES ($1, $2, $3, $4, NULL, NULL, $5)",
                )
                .bind(&token.hash)
                .bind(token.account_id.to_string())
                .bind(token.family_id.to_string())
                .bind(token.expires_at)
                .bind(token.created_at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn revoke_in(
                tx: &mut Transaction<'static, $db>,
                account_id: Uuid,
                keep_family: Option<Uuid>,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                // Family ids are never empty, so COALESCE keeps every family when none is kept
                // (and avoids an untyped `$3 IS NULL` on PostgreSQL).
                let done = sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $1 WHERE account_id = $2 \
                     AND revoked_at IS NULL AND family_id <> COALESCE($3, '')",
                )
                .bind(now)
                .bind(account_id.to_string())
                .bind(keep_family.map(|id| id.to_string()))
                .execute(&mut **tx)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(super) use impl_statements;
